/**
 * The image round of `bench:serve`: images/s through our server (its own process, HTTP, the
 * payload log on) against the in-process `model.predict` loop (servers/image-raw.ts) at the same
 * images per request / per call, both ways a client sends images:
 *   b64  TF Serving `{"instances": [{"b64": <JPEG>}, …]}`: serving decodes and resizes with sharp;
 *        its baseline decodes with the same path and then predicts
 *   v2   OIP v2 FP32 pixels, already the model's size; its baseline predicts on a ready tensor
 * Measured in rounds as the tabular figures are (rounds.ts): every phase once per round, the
 * order rotating, each ratio the median over rounds of the ratio within a round.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '@mlops/ml/image';
import {
  b64Body,
  describeImageModel,
  IMAGE_MODEL_NAME,
  v2Body,
  writeBenchJpeg,
  writeImageBundle,
  type ImageBenchModel,
} from './image-bundle';
import { batchCounts, load, withServer, type LoadResult, type Server } from './processes';
import { median } from '@mlops/ml/stats';

/** image-raw.ts's line: per batch size, the two in-process figures. */
export type ImageRawFigures = Record<
  string,
  { tensor_images_per_s: number; decode_images_per_s: number }
>;

export interface ImageBenchOptions {
  model: ImageBenchModel;
  /** Images per request and per in-process predict call. */
  batches: readonly number[];
  connections: number;
  seconds: number;
  rounds: number;
  /** A scratch directory for the bundle, the JPEG and the request bodies. */
  dir: string;
  /** Runs image-raw.ts in its own process. */
  runRaw: (dir: string, seconds: number, batches: readonly number[]) => Promise<ImageRawFigures>;
  say: (line: string) => void;
}

type Way = 'b64' | 'v2';
interface Phase {
  way: Way;
  n: number;
}
interface Served extends LoadResult {
  /** Images per predict call during the phase (the batcher joins concurrent requests). */
  meanBatch: number;
}
interface ImageRound {
  served: Record<string, Served>;
  raw: ImageRawFigures;
}

const key = (p: Phase) => `${p.way}:${p.n}`;
const two = (x: number) => Number(x.toFixed(2));
/** Images per second: whole above 100, else one decimal (MobileNetV2 runs at a few a second). */
const rate = (x: number) => (x >= 100 ? Math.round(x) : Number(x.toFixed(1)));

/** Per batch size: images/s each way, their baselines, and the ratios serving / in-process. */
export interface ImageBatchResult {
  b64_images_per_s: number;
  raw_decode_images_per_s: number;
  b64_vs_raw_decode: number;
  v2_images_per_s: number;
  raw_tensor_images_per_s: number;
  v2_vs_raw_tensor: number;
  b64_p99_ms: number;
  v2_p99_ms: number;
  b64_mean_batch: number;
  v2_mean_batch: number;
}

export interface ImageResult {
  model: ImageBenchModel;
  connections: number;
  batches: number[];
  by_batch: Record<string, ImageBatchResult>;
  failed_requests: number;
  /** At the end: on shared cores every figure moves with it. */
  load_average_1m: number;
}

export async function imageBench(opts: ImageBenchOptions): Promise<ImageResult> {
  const { dir, batches, connections, seconds, say } = opts;
  say(
    `images — ${describeImageModel(opts.model)}, ${connections} connections, ${opts.rounds} rounds of ${seconds} s phases, ${batches.join(', ')} images a request`,
  );
  const input = await writeImageBundle(dir, opts.model);
  const jpeg = await writeBenchJpeg(dir);
  const { data: pixels } = await decodeImage(input.name, jpeg, input.decoding);
  const path: Record<Way, string> = {
    b64: `/v1/models/${IMAGE_MODEL_NAME}:predict`,
    v2: `/v2/models/${IMAGE_MODEL_NAME}/infer`,
  };
  const phases: Phase[] = batches.flatMap((n) => [
    { way: 'b64' as const, n },
    { way: 'v2' as const, n },
  ]);
  const bodyFile = (p: Phase) => join(dir, `${p.way}-${p.n}.json`);
  let largest = 0;
  for (const p of phases) {
    const body = p.way === 'b64' ? b64Body(jpeg, p.n) : v2Body(input, pixels, p.n);
    largest = Math.max(largest, body.length);
    await writeFile(bodyFile(p), body);
  }
  const env = {
    BENCH_MODEL: IMAGE_MODEL_NAME,
    SERVING_LOG_SAMPLE_RATE: '1',
    // Room for the largest body (FP32 pixels as JSON run to ≈ 4 bytes a value).
    SERVING_MAX_BODY_BYTES: String(Math.max(5 * 1024 * 1024, largest * 2)),
  };
  return withServer('ours.ts', [dir], env, async (server) => {
    for (const p of phases) await checkAnswers(server, path[p.way], bodyFile(p), p);
    const phase = async (p: Phase, secs: number): Promise<Served> => {
      const before = await batchCounts(server.port, IMAGE_MODEL_NAME);
      const r = await load(
        server.port,
        { bodyFile: bodyFile(p), path: path[p.way], connections, seconds: secs },
        server.pid,
      );
      const after = await batchCounts(server.port, IMAGE_MODEL_NAME);
      return {
        ...r,
        meanBatch: (after.rows - before.rows) / Math.max(1, after.execs - before.execs),
      };
    };
    for (const p of phases) await phase(p, 1); // JIT, kernels and connections warm
    const order: Array<Phase | 'raw'> = [...phases, 'raw'];
    const rounds: ImageRound[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      say(`image round ${i + 1} of ${opts.rounds}`);
      const k = i % order.length;
      const served: Record<string, Served> = {};
      let raw: ImageRawFigures | undefined;
      for (const p of [...order.slice(k), ...order.slice(0, k)]) {
        if (p === 'raw') {
          raw = await opts.runRaw(dir, seconds, batches);
          for (const n of batches)
            say(
              `  in-process predict, ${String(n).padStart(2)} images a call    ${fixed(raw[n]!.tensor_images_per_s)} images/s (ready tensor)  ${fixed(raw[n]!.decode_images_per_s)} images/s (decode + predict)`,
            );
          continue;
        }
        const r = await phase(p, seconds);
        served[key(p)] = r;
        say(
          `  ours, ${p.way === 'b64' ? 'TF Serving b64 JPEG' : 'OIP v2 FP32 pixels '}, ${String(p.n).padStart(2)} a request ${fixed(r.rps * p.n)} images/s  p50 ${r.p50} ms  p99 ${r.p99} ms  mean batch ${r.meanBatch.toFixed(1)}  non-2xx ${r.non2xx}  errors ${r.errors}`,
        );
      }
      if (!raw) throw new Error(`image round ${i + 1} missed the in-process loop`);
      rounds.push({ served, raw });
    }
    return summarize(opts, rounds);
  });
}

const fixed = (x: number) => x.toFixed(1).padStart(8);

/** One request of each body before any load: a bench of 400s would measure error answers. */
async function checkAnswers(server: Server, path: string, file: string, p: Phase): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: await readFile(file, 'utf8'),
  });
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`${key(p)} answered ${res.status}: ${text.slice(0, 300)}`);
}

function summarize(opts: ImageBenchOptions, rounds: readonly ImageRound[]): ImageResult {
  const by_batch: Record<string, ImageBatchResult> = {};
  const med = (pick: (r: ImageRound) => number) => median(rounds.map(pick));
  for (const n of opts.batches) {
    const b64 = (r: ImageRound) => r.served[`b64:${n}`]!;
    const v2 = (r: ImageRound) => r.served[`v2:${n}`]!;
    const raw = (r: ImageRound) => r.raw[n]!;
    by_batch[n] = {
      b64_images_per_s: rate(med((r) => b64(r).rps * n)),
      raw_decode_images_per_s: rate(med((r) => raw(r).decode_images_per_s)),
      b64_vs_raw_decode: two(med((r) => (b64(r).rps * n) / raw(r).decode_images_per_s)),
      v2_images_per_s: rate(med((r) => v2(r).rps * n)),
      raw_tensor_images_per_s: rate(med((r) => raw(r).tensor_images_per_s)),
      v2_vs_raw_tensor: two(med((r) => (v2(r).rps * n) / raw(r).tensor_images_per_s)),
      b64_p99_ms: med((r) => b64(r).p99),
      v2_p99_ms: med((r) => v2(r).p99),
      b64_mean_batch: Number(med((r) => b64(r).meanBatch).toFixed(1)),
      v2_mean_batch: Number(med((r) => v2(r).meanBatch).toFixed(1)),
    };
  }
  return {
    model: opts.model,
    connections: opts.connections,
    batches: [...opts.batches],
    by_batch,
    failed_requests: rounds.reduce(
      (sum, r) => sum + Object.values(r.served).reduce((a, l) => a + l.non2xx + l.errors, 0),
      0,
    ),
    load_average_1m: Number(loadavg()[0]!.toFixed(1)),
  };
}

/** The human-readable summary lines of an image result. */
export function reportImage(result: ImageResult, say: (line: string) => void): void {
  say(`images (${result.model}, ${result.connections} connections), serving / in-process:`);
  for (const n of result.batches) {
    const b = result.by_batch[n]!;
    say(
      `  ${String(n).padStart(2)} images: b64 JPEG ${b.b64_images_per_s} images/s vs decode + predict ${b.raw_decode_images_per_s} → ${b.b64_vs_raw_decode}×   v2 FP32 ${b.v2_images_per_s} vs predict on a tensor ${b.raw_tensor_images_per_s} → ${b.v2_vs_raw_tensor}×   p99 ${b.b64_p99_ms} / ${b.v2_p99_ms} ms   mean batch ${b.b64_mean_batch} / ${b.v2_mean_batch}`,
    );
  }
  say(`  failed image requests ${result.failed_requests}; load average ${result.load_average_1m}`);
}
