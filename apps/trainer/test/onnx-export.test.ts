import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '@tensorflow/tfjs';
import { bundleManifestSchema, type DataRow, type DatasetSchema } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadBundleModel, sha256Hex } from '@mlops/ml/bundle';
import { ONNX_TOLERANCE } from '@mlops/ml/onnx-export';
import { encodeFeatures } from '@mlops/ml/preprocessing';
import { buildManifest } from '../src/train/package';
import { exportOnnx } from '../src/train/onnx';
import { trainPipeline, type TrainOutput } from '../src/train/pipeline';
import { features, readIris, splitHoldout } from '../../../scripts/demo/iris';
import { blobRows, blobSchema, linearRows, linearSchema, spec } from './data';

beforeAll(async () => {
  await initBackend('cpu');
});

afterEach(() => {
  delete process.env.TRAINER_ONNX_EXPORT;
});

function manifestOf(out: TrainOutput, s: ReturnType<typeof spec>) {
  return bundleManifestSchema.parse(
    buildManifest({
      run: { id: 'run_00000001', datasetId: 'ds_00000001', datasetHash: 'a'.repeat(64) },
      spec: s,
      output: out,
      files: out.files.map((f) => ({
        path: f.path,
        sha256: sha256Hex(f.bytes),
        size: f.bytes.byteLength,
      })),
      backend: 'cpu',
      codeRevision: 'test',
    }),
  );
}

/**
 * The registered bundle answered both ways: TF.js loading model.json as serving does, and ONNX
 * Runtime running model.onnx — on rows the model never saw, encoded by the bundle's preprocessing.
 */
async function bothEngines(out: TrainOutput, s: ReturnType<typeof spec>, rows: DataRow[]) {
  const manifest = manifestOf(out, s);
  const files = new Map(out.files.map((f) => [f.path, f.bytes]));
  const x = encodeFeatures(manifest.preprocessing, rows);
  const width = manifest.preprocessing.inputWidth;
  const tf = getTf();
  const model = await loadBundleModel(manifest, files);
  const input = tf.tensor2d(x, [rows.length, width]);
  const y = model.predict(input) as Tensor;
  const tfjs = (await y.data()) as Float32Array;
  tf.dispose([input, y]);
  model.dispose();
  const onnx = manifest.onnx!;
  const session = await ort.InferenceSession.create(files.get(onnx.file)!);
  const result = await session.run({
    [onnx.inputs[0]!.name]: new ort.Tensor('float32', x, [rows.length, width]),
  });
  await session.release();
  const onnxOut = result[onnx.outputs[0]!.name]!.data as Float32Array;
  return { manifest, tfjs, onnx: onnxOut };
}

function maxGap(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('ONNX export at the end of a run', () => {
  it('a trained mlp-small classifier: model.onnx verified, described, and equal to TF.js', async () => {
    const s = spec({
      task: 'classification',
      target: 'species',
      seed: 3,
      hyperparameters: { epochs: 10, learningRate: 0.02 },
    });
    const out = await trainPipeline({ spec: s, schema: blobSchema, rows: blobRows(200) });
    expect(out.files.map((f) => f.path)).toContain('model.onnx');
    const { manifest, tfjs, onnx } = await bothEngines(out, s, blobRows(50, 99));
    expect(manifest.onnx).toMatchObject({
      file: 'model.onnx',
      primary: false,
      opsetVersion: 13,
      producer: 'mlops-tfjs-export 1.0.0',
      inputs: [{ name: 'features', shape: ['batch', manifest.preprocessing.inputWidth] }],
      outputs: [{ name: 'probabilities', shape: ['batch', 3] }],
      // Every held-out row is checked (fewer than ONNX_VERIFY_ROWS).
      verification: { rows: out.sizes.test, tolerance: ONNX_TOLERANCE },
    });
    expect(manifest.onnx!.verification!.maxAbsDiff).toBeLessThanOrEqual(ONNX_TOLERANCE);
    expect(maxGap(tfjs, onnx)).toBeLessThanOrEqual(ONNX_TOLERANCE);
  });

  it("the demo's mlp-small on iris answers the demo's held-out flowers as TF.js does", async () => {
    // The demo's split and spec (scripts/demo/loop.ts): 10 flowers per species held out.
    const { train, holdout } = splitHoldout(readIris(), 10);
    const s = spec({
      task: 'classification',
      target: 'species',
      preset: 'mlp-small',
      seed: 42,
      hyperparameters: {
        epochs: 150,
        batchSize: 16,
        learningRate: 0.01,
        earlyStoppingPatience: 15,
      },
    });
    const schema: DatasetSchema = {
      columns: [
        ...Object.keys(features(train[0]!)).map((name) => ({
          name,
          type: 'numeric' as const,
          nullable: false,
        })),
        { name: 'species', type: 'categorical', nullable: false },
      ],
    };
    const out = await trainPipeline({ spec: s, schema, rows: train });
    const { tfjs, onnx } = await bothEngines(out, s, holdout.map(features));
    expect(tfjs).toHaveLength(holdout.length * 3);
    expect(maxGap(tfjs, onnx)).toBeLessThanOrEqual(ONNX_TOLERANCE);
  });

  it('a regression cnn-small (1-D signal): the output is the standardized prediction', async () => {
    const s = spec({
      task: 'regression',
      target: 'y',
      preset: 'cnn-small',
      seed: 5,
      hyperparameters: { epochs: 3 },
    });
    const out = await trainPipeline({
      spec: s,
      schema: linearSchema,
      rows: linearRows(150),
    });
    const { manifest, tfjs, onnx } = await bothEngines(out, s, linearRows(30, 77));
    expect(manifest.onnx?.outputs[0]).toMatchObject({ name: 'prediction', shape: ['batch', 1] });
    expect(maxGap(tfjs, onnx)).toBeLessThanOrEqual(ONNX_TOLERANCE);
  });

  it('TRAINER_ONNX_EXPORT=false: no model.onnx, no manifest entry, and why', async () => {
    process.env.TRAINER_ONNX_EXPORT = 'false';
    const s = spec({ task: 'classification', target: 'species', hyperparameters: { epochs: 2 } });
    const out = await trainPipeline({ spec: s, schema: blobSchema, rows: blobRows(100) });
    expect(out.files.map((f) => f.path)).toEqual(['model.json', 'weights.bin', 'profile.json']);
    expect(out.onnx).toEqual({ skipped: 'turned off (TRAINER_ONNX_EXPORT=false)' });
    expect(manifestOf(out, s).onnx).toBeUndefined();
  });

  it('a model the exporter cannot convert: no file, the reason, no throw', async () => {
    const tf = getTf();
    const input = tf.input({ shape: [3] });
    const embedded = tf.layers
      .embedding({ inputDim: 5, outputDim: 2, name: 'codes' })
      .apply(input) as ReturnType<typeof tf.input>;
    const model = tf.model({ inputs: input, outputs: embedded });
    const result = await exportOnnx({
      model,
      x: new Float32Array([0, 1, 2]),
      rows: 1,
      inputName: 'features',
      outputName: 'prediction',
    });
    model.dispose();
    expect(result.file).toBeUndefined();
    expect('skipped' in result.onnx && result.onnx.skipped).toMatch(/"codes" is a Embedding/);
  });
});
