import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFT_REFERENCE_FILE, tensorDriftReferenceSchema, type Run } from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';
import { ONNX_TOLERANCE } from '@mlops/ml/onnx-export';
import * as ort from 'onnxruntime-node';
import { createTensorPredictor, loadTensorModel } from '@mlops/ml/bundle';
import { decodeImage } from '@mlops/ml/image';
import { summarizeExample, tensorSummaryColumns } from '@mlops/ml/summary';
import { generateLesions, LESION_CLASSES } from '../../../scripts/demo/lesions';
// The registry's own archive builder: the upload is the ImageFolder tar a user would send.
import { tarOf } from '@mlops/registry/testing/archives';
import type { createTrainerWorker } from '../src/worker';
import { startRegistry, startWorker, waitForRun, type Harness } from './registry-harness';

let h: Harness;
let worker: ReturnType<typeof createTrainerWorker>;

beforeAll(async () => {
  process.env.TRAINER_WARM_UP = 'false';
  await initBackend('cpu');
  h = await startRegistry();
  worker = startWorker(h, 'trainer-image-it');
});

afterAll(async () => {
  await worker?.close();
  await h?.close();
});

describe('training on an image dataset (real registry, real worker)', () => {
  it('trains a CNN on an ImageFolder tar and registers a model that takes raw images', async () => {
    const lesions = await generateLesions({ count: 60, seed: 5, size: 32 });
    const tar = await tarOf(lesions.map((l) => ({ path: `lesions/${l.path}`, data: l.data })));
    const dataset = await h.client.uploadDataset('lesions', tar, { format: 'tar' });
    expect(dataset.rowCount).toBe(60);

    const image = { height: 16, width: 16, channels: 3 as const };
    const created = await h.client.api.runs.create.mutate({
      modelName: 'lesion-cnn',
      dataset: { name: 'lesions' },
      task: 'classification',
      target: 'label',
      preset: 'cnn-small',
      image,
      backend: 'cpu',
      hyperparameters: {
        epochs: 12,
        batchSize: 8,
        learningRate: 0.01,
        earlyStoppingPatience: 0,
        horizontalFlip: true,
      },
    });
    const run: Run = await waitForRun(
      h.client,
      created.id,
      (r) => r.status === 'completed' || r.status === 'failed',
      'training',
      300_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    // 12 holdout images of 3 balanced classes: chance is 1/3.
    expect(run.metrics.accuracy).toBeGreaterThan(0.5);
    expect(run.metrics).toHaveProperty('macro_f1');

    const version = await h.client.api.versions.get.query({ model: 'lesion-cnn', version: 1 });
    const { signature } = version.manifest;
    expect(version.manifest.lineage.hyperparameters?.horizontalFlip).toBe(true);
    expect(signature.output).toEqual({
      task: 'classification',
      target: 'label',
      labels: [...LESION_CLASSES],
    });
    expect(signature.tensors?.inputs).toEqual([
      {
        kind: 'image',
        name: 'image',
        dtype: 'float32',
        shape: [-1, 16, 16, 3],
        decoding: { ...image, resize: 'bilinear', scale: 1 / 255 },
      },
    ]);
    expect(signature.tensors?.outputs).toEqual([
      expect.objectContaining({ shape: [-1, 3], role: 'probabilities' }),
    ]);

    // The stored bundle, as serving loads it, classifies images it has never seen.
    const files = new Map<string, Uint8Array>();
    for (const f of version.manifest.files)
      files.set(f.path, await h.client.downloadBlob(f.sha256));

    // The drift reference: every training image summarized as serving logs a live one.
    const reference = tensorDriftReferenceSchema.parse(
      JSON.parse(new TextDecoder().decode(files.get(DRIFT_REFERENCE_FILE))),
    );
    expect(reference.columns).toEqual(tensorSummaryColumns(signature.tensors!));
    expect(reference.count).toBeGreaterThanOrEqual(30);
    expect(reference.count).toBeLessThan(60);
    expect(reference.rows).toHaveLength(reference.count);
    // Summarizing all 60 images as serving would (decoded to the run's size, 0–255) gives the
    // training split's brightness within a few levels: same scale, same resize, same columns.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const served: number[] = [];
    for (const lesion of lesions) {
      const d = await decodeImage('image', lesion.data, { ...image, resize: 'bilinear' });
      served.push(Number(summarizeExample(signature.tensors!, { image: d.data })['image.mean_c0']));
    }
    const at = reference.columns.indexOf('image.mean_c0');
    const trained = reference.rows.map((r) => Number(r[at]));
    expect(Math.abs(mean(trained) - mean(served))).toBeLessThan(8);
    expect(mean(served)).toBeGreaterThan(100);
    // Each training image's size before the resize to 16×16: the 32×32 it was uploaded at.
    const width = reference.columns.indexOf('image.width');
    expect(new Set(reference.rows.map((r) => r[width]))).toEqual(new Set([32]));
    const model = await loadTensorModel(version.manifest, files);
    expect(model.outputs.map((o) => o.name)).toEqual(signature.tensors!.outputs.map((o) => o.name));
    const predictor = createTensorPredictor(model, signature.tensors!);
    const input = signature.tensors!.inputs[0]!;
    if (input.kind !== 'image') throw new Error('not an image input');
    const unseen = await generateLesions({ count: 9, seed: 99, size: 32 });
    // The verified ONNX export takes and names the tensors as the signature does (NHWC).
    const onnx = version.manifest.onnx!;
    expect(onnx).toMatchObject({
      primary: false,
      inputs: [{ name: input.name, shape: ['batch', 16, 16, 3] }],
      outputs: [{ name: signature.tensors!.outputs[0]!.name, shape: ['batch', 3] }],
    });
    const session = await ort.InferenceSession.create(files.get(onnx.file)!);
    let correct = 0;
    for (const lesion of unseen) {
      const decoded = await decodeImage(input.name, lesion.data, input.decoding);
      const out = predictor.predictTensors({
        [input.name]: { data: decoded.data, shape: [1, ...decoded.shape] },
      });
      const probs = Array.from(out[signature.tensors!.outputs[0]!.name]!.data);
      // The graph takes the pixels as the model does: scaled as the decoding declares.
      const scaled = Float32Array.from(decoded.data, (v) => v * input.decoding.scale);
      const feeds = {
        [input.name]: new ort.Tensor('float32', scaled, [1, ...decoded.shape]),
      };
      const onnxProbs = (await session.run(feeds))[onnx.outputs[0]!.name]!.data as Float32Array;
      onnxProbs.forEach((p, i) =>
        expect(Math.abs(p - probs[i]!)).toBeLessThanOrEqual(ONNX_TOLERANCE),
      );
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      if (LESION_CLASSES[probs.indexOf(Math.max(...probs))] === lesion.label) correct++;
    }
    expect(correct).toBeGreaterThanOrEqual(6);
    await session.release();
  }, 360_000);

  it('fails a run on images with a tabular preset, naming the preset to use', async () => {
    const created = await h.client.api.runs.create.mutate({
      modelName: 'lesion-mlp',
      dataset: { name: 'lesions' },
      task: 'classification',
      target: 'label',
      backend: 'cpu',
      hyperparameters: { epochs: 1 },
    });
    const run = await waitForRun(
      h.client,
      created.id,
      (r) => r.status === 'completed' || r.status === 'failed',
      'failing',
    );
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/preset "mlp-small".*preset "cnn-small"/);
  });
});
