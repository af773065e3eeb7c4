import path from 'node:path';
import type { RegistryClient } from '@mlops/client';
import { folderFiles, packFolder, tarSize } from '@mlops/client/image-folder';
import type { ImageDecoding } from '@mlops/contracts';
import { decodeImage } from '@mlops/ml/image';
import { quantile } from '@mlops/ml/stats';
import { round } from '../lib/stats';
import { generateLesions, writeLesions, type LesionImage } from './lesions';
import type { Reporter } from './reporter';
import {
  bearer,
  describeDrift,
  driftOfLast,
  waitForRun,
  waitForServing,
  type LoopUrls,
} from './steps';

/**
 * The second demo lap, on images (`npm run demo -- --images`): the founding example of a team
 * with a skin-lesion classifier. Generates an ImageFolder of lesion-like photos (deterministic,
 * nothing downloaded), ingests it as `mlops ingest ./folder` does, trains the `cnn-small` preset
 * on it, promotes, sends held-out photos as TF Serving `{"b64": …}` and as Open Inference
 * Protocol v2 FP32 tensors (binary extension, as Triton's client sends them), and finally darker
 * photos — a camera or lighting change — which the monitor must flag as image drift.
 */

export interface ImageDemoSummary {
  dataset: { name: string; version: number; hash: string; images: number; classes: number };
  run: {
    id: string;
    backend: string | null;
    epochs: number | null;
    seconds: number;
    images_per_s: number | null;
    metrics: Record<string, number>;
  };
  model: { name: string; version: number };
  alias: string;
  holdout: { images: number; accuracy: number };
  serving: {
    predictions: number;
    b64_ok: boolean;
    v2_ok: boolean;
    /** Largest |p_b64 − p_v2| over the held-out images: the two protocols must agree. */
    v2_max_abs_diff: number;
    p50_ms: number;
    p99_ms: number;
  };
  drift: { heldout: boolean; shifted: boolean; shifted_columns: string[] };
}

const MODEL = 'lesions';
const DATASET = 'lesions';
const ALIAS = 'champion';
/** Photos are generated at SIZE² and decoded to INPUT² by the model's declared decoding. */
const SIZE = 48;
/** The model's input: at 32×32×3 the wasm backend trains cnn-small at several hundred images/s. */
const INPUT = 32;
const TRAIN_IMAGES = 240;
const HELDOUT_IMAGES = 60;
/** Brightness of the shifted photos: an under-exposed camera. */
const SHIFTED_BRIGHTNESS = 0.6;

export async function runImageLoop(
  client: RegistryClient,
  urls: LoopUrls,
  report: Reporter,
  workDir: string,
): Promise<ImageDemoSummary> {
  const folder = path.join(workDir, 'lesions');
  const dataset = await report.step(
    `ingest ${TRAIN_IMAGES} lesion photos from ${folder} (ImageFolder: one folder per class)`,
    async () => {
      await writeLesions(folder, { count: TRAIN_IMAGES, seed: 7, size: SIZE });
      const files = folderFiles(folder);
      const version = await client.uploadDataset(DATASET, packFolder(files), { format: 'tar' });
      const classes = version.profile.images?.[0]?.classes ?? [];
      return {
        value: { version, classes: classes.length },
        detail: `${DATASET} v${version.version}: ${version.rowCount} images (${Math.round(tarSize(files) / 1024)} KB streamed as tar), ${classes.map((c) => `${c.label} ${c.count}`).join(', ')}`,
      };
    },
  );

  const image = { height: INPUT, width: INPUT, channels: 3 as const };
  const run = await report.step(
    `train cnn-small on photos decoded to ${INPUT}×${INPUT} RGB (BullMQ → TF.js)`,
    async () => {
      const created = await client.api.runs.create.mutate({
        modelName: MODEL,
        dataset: { name: DATASET, version: dataset.version.version },
        task: 'classification',
        target: 'label',
        preset: 'cnn-small',
        image,
        hyperparameters: {
          epochs: 30,
          batchSize: 16,
          learningRate: 0.005,
          earlyStoppingPatience: 8,
          horizontalFlip: true,
        },
        seed: 42,
      });
      const done = await waitForRun(client, created.id, report, 600_000);
      if (done.status !== 'completed' || done.modelVersion === null)
        throw new Error(
          `run ${done.id} ended ${done.status}: ${done.error ?? 'no error recorded'}`,
        );
      return {
        value: done,
        detail: `run ${done.id} → ${MODEL} v${done.modelVersion} on ${done.backend ?? '?'}, test accuracy ${round(done.metrics.accuracy ?? Number.NaN)}`,
      };
    },
  );
  const version = run.modelVersion!;

  await report.step(`promote ${MODEL} v${version} to "${ALIAS}"`, async () => {
    await client.api.aliases.set.mutate({ model: MODEL, version, alias: ALIAS });
    return { value: undefined, detail: 'the gate read the platform-computed metrics' };
  });
  const { decoding, labels } = await imageInput(client, version);

  await report.step('wait for serving to load it', async () => {
    await waitForServing(urls, MODEL, version);
    return { value: undefined, detail: `${urls.serving}/v1/models/${MODEL}:predict` };
  });

  const heldout = await generateLesions({ count: HELDOUT_IMAGES, seed: 1001, size: SIZE });
  const heldoutStart = new Date().toISOString();
  const b64 = await report.step(
    `predict ${heldout.length} held-out photos, TF Serving {"b64": …}`,
    async () => {
      const result = await predictB64(urls, heldout, labels);
      return {
        value: result,
        detail: `accuracy ${round(result.accuracy)}, p50 ${round(quantile(result.latencies, 0.5), 2)} ms, p99 ${round(quantile(result.latencies, 0.99), 2)} ms`,
      };
    },
  );
  const heldoutDrift = await report.step('image drift on held-out traffic', async () => {
    const drift = await driftOfLast(urls, MODEL, heldout.length, heldoutStart);
    return { value: drift, detail: describeDrift(drift) };
  });

  const v2 = await report.step(
    `the same photos as Open Inference Protocol v2 FP32 [1,${INPUT},${INPUT},3] (binary extension)`,
    async () => {
      const result = await predictV2(urls, heldout, decoding, labels);
      let maxDiff = 0;
      result.probabilities.forEach((p, i) =>
        p.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - b64.probabilities[i]![k]!)))),
      );
      return {
        value: { ...result, maxDiff },
        detail: `accuracy ${round(result.accuracy)}, largest difference from the b64 answers ${maxDiff.toExponential(1)}`,
      };
    },
  );

  const shifted = await generateLesions({
    count: HELDOUT_IMAGES,
    seed: 2002,
    size: SIZE,
    brightness: SHIFTED_BRIGHTNESS,
  });
  const shiftStart = new Date().toISOString();
  const shiftedDrift = await report.step(
    `send ${shifted.length} under-exposed photos (brightness ×${SHIFTED_BRIGHTNESS}) and ask again`,
    async () => {
      const more = await predictB64(urls, shifted, labels);
      b64.latencies.push(...more.latencies);
      // The v2 requests came after the held-out window: the shifted window is the last rows.
      const drift = await driftOfLast(urls, MODEL, shifted.length, shiftStart);
      return { value: drift, detail: describeDrift(drift) };
    },
  );

  const seconds =
    run.startedAt && run.finishedAt ? secondsBetween(run.startedAt, run.finishedAt) : 0;
  const epochs = run.progress?.epoch ?? null;
  return {
    dataset: {
      name: DATASET,
      version: dataset.version.version,
      hash: dataset.version.hash,
      images: dataset.version.rowCount,
      classes: dataset.classes,
    },
    run: {
      id: run.id,
      backend: run.backend,
      epochs,
      seconds: round(seconds, 1),
      images_per_s: run.progress?.samplesPerSecond ? round(run.progress.samplesPerSecond, 1) : null,
      metrics: run.metrics,
    },
    model: { name: MODEL, version },
    alias: ALIAS,
    holdout: { images: heldout.length, accuracy: round(b64.accuracy, 4) },
    serving: {
      predictions: b64.latencies.length + heldout.length,
      b64_ok: b64.accuracy >= 0.9,
      v2_ok: v2.accuracy === b64.accuracy && v2.maxDiff < 1e-4,
      v2_max_abs_diff: v2.maxDiff,
      p50_ms: round(quantile(b64.latencies, 0.5), 2),
      p99_ms: round(quantile(b64.latencies, 0.99), 2),
    },
    drift: {
      heldout: heldoutDrift.datasetDrift,
      shifted: shiftedDrift.datasetDrift,
      shifted_columns: shiftedDrift.driftedColumns,
    },
  };
}

function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

/** The image input's declared decoding and the labels, from the registered signature. */
async function imageInput(client: RegistryClient, version: number) {
  const v = await client.api.versions.get.query({ model: MODEL, version });
  const { signature } = v.manifest;
  const input = signature.tensors?.inputs[0];
  if (input?.kind !== 'image') throw new Error(`${MODEL} v${version} declares no image input`);
  if (signature.output.task !== 'classification')
    throw new Error(`${MODEL} v${version} is no classifier`);
  return { decoding: input.decoding, labels: signature.output.labels };
}

interface Answers {
  latencies: number[];
  probabilities: number[][];
  accuracy: number;
}

/** Share of images whose most probable class (`labels` in output order) is their label. */
function score(
  images: readonly LesionImage[],
  probabilities: number[][],
  labels: readonly string[],
): number {
  let correct = 0;
  images.forEach((img, i) => {
    const p = probabilities[i]!;
    if (labels[p.indexOf(Math.max(...p))] === img.label) correct++;
  });
  return correct / images.length;
}

/** One request per photo, one after another, as a single client: `{"instances":[{"b64":…}]}`. */
async function predictB64(
  urls: LoopUrls,
  images: readonly LesionImage[],
  labels: readonly string[],
): Promise<Answers> {
  const latencies: number[] = [];
  const probabilities: number[][] = [];
  for (const img of images) {
    const started = performance.now();
    const res = await fetch(`${urls.serving}/v1/models/${MODEL}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(urls) },
      body: JSON.stringify({ instances: [{ b64: img.data.toString('base64') }] }),
    });
    const text = await res.text();
    latencies.push(performance.now() - started);
    if (!res.ok) throw new Error(`TF Serving predict answered ${res.status}: ${text}`);
    probabilities.push(
      probabilitiesOf((JSON.parse(text) as { predictions: unknown[] }).predictions[0]),
    );
  }
  return { latencies, probabilities, accuracy: score(images, probabilities, labels) };
}

/**
 * One v2 request per photo with the pixels decoded as the model declares (size, channels) and
 * sent raw: a JSON header, then the FP32 bytes (`Inference-Header-Content-Length`).
 */
async function predictV2(
  urls: LoopUrls,
  images: readonly LesionImage[],
  decoding: ImageDecoding,
  labels: readonly string[],
): Promise<Answers> {
  const latencies: number[] = [];
  const probabilities: number[][] = [];
  for (const img of images) {
    const decoded = await decodeImage('image', img.data, decoding);
    const pixels = Float32Array.from(decoded.data);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'image',
            datatype: 'FP32',
            shape: [1, ...decoded.shape],
            parameters: { binary_data_size: pixels.byteLength },
          },
        ],
      }),
    );
    const started = performance.now();
    const res = await fetch(`${urls.serving}/v2/models/${MODEL}/infer`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
        ...bearer(urls),
      },
      body: Buffer.concat([header, Buffer.from(pixels.buffer)]),
    });
    const text = await res.text();
    latencies.push(performance.now() - started);
    if (!res.ok) throw new Error(`OIP v2 infer answered ${res.status}: ${text}`);
    const body = JSON.parse(text) as { outputs: Array<{ name: string; data: number[] }> };
    probabilities.push(body.outputs[0]!.data);
  }
  return { latencies, probabilities, accuracy: score(images, probabilities, labels) };
}

/** TF Serving unwraps a single output: a prediction is the probability list itself. */
function probabilitiesOf(prediction: unknown): number[] {
  if (Array.isArray(prediction) && prediction.every((v) => typeof v === 'number'))
    return prediction;
  throw new Error(`unexpected TF Serving prediction: ${JSON.stringify(prediction).slice(0, 200)}`);
}
