import { beforeAll, describe, expect, it } from 'vitest';
import { AppError, bundleManifestSchema, datasetProfileSchema } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadBundleModel } from '@mlops/ml/bundle';
import { decodePredictions, encodeFeatures } from '@mlops/ml/preprocessing';
import { sha256Hex } from '@mlops/ml/bundle';
import type { Tensor } from '@tensorflow/tfjs';
import { buildManifest } from '../src/train/package';
import { trainPipeline } from '../src/train/pipeline';
import type { EpochReport } from '../src/train/fit';
import { blobRows, blobSchema, linearRows, linearSchema, spec } from './data';

const classification = spec({
  task: 'classification',
  target: 'species',
  seed: 7,
  hyperparameters: { epochs: 30, batchSize: 32, learningRate: 0.02, earlyStoppingPatience: 5 },
});

describe('training pipeline (no registry)', () => {
  beforeAll(async () => {
    expect(await initBackend('cpu')).toBe('cpu');
  });

  it('learns a separable 3-class problem, reports every epoch and disposes every tensor', async () => {
    const tf = getTf();
    const baseline = tf.memory().numTensors;
    const reports: EpochReport[] = [];
    const out = await trainPipeline({
      spec: classification,
      schema: blobSchema,
      rows: blobRows(300),
      onEpochEnd: (r) => {
        reports.push(r);
      },
    });
    expect(tf.memory().numTensors).toBe(baseline);

    expect(out.metrics.accuracy).toBeGreaterThan(0.9);
    expect(out.metrics.macro_f1).toBeGreaterThan(0.9);
    expect(out.metrics.log_loss).toBeLessThan(0.5);
    expect(Object.keys(out.metrics).sort()).toEqual(['accuracy', 'log_loss', 'macro_f1']);
    expect(out.sizes).toEqual({ train: 216, validation: 24, test: 60, dropped: 0 });
    // Phase timings travel with the output (the trainer logs them with the run).
    expect(Object.keys(out.seconds ?? {}).sort()).toEqual(['fit', 'package', 'prepare']);
    expect(out.seconds?.fit).toBeGreaterThan(0);
    expect(reports.length).toBe(out.fit.epochsRun);
    expect(reports[0]).toMatchObject({ epoch: 1, epochs: 30 });
    expect(reports.every((r) => r.loss !== null && r.valLoss !== null)).toBe(true);

    expect(out.signature).toEqual({
      inputs: blobSchema.columns.filter((c) => c.name !== 'species'),
      output: {
        task: 'classification',
        target: 'species',
        labels: ['setosa', 'versicolor', 'virginica'],
      },
    });
    expect(out.files.map((f) => f.path)).toEqual([
      'model.json',
      'weights.bin',
      'profile.json',
      'model.onnx',
    ]);
    const profile = datasetProfileSchema.parse(
      JSON.parse(new TextDecoder().decode(out.files[2]!.bytes)),
    );
    expect(profile.rowCount).toBe(216);
    expect(profile.columns.map((c) => c.name)).toEqual(['x1', 'x2', 'color', 'flag']);
  });

  it('is reproducible: same seed on cpu → same metrics and weights', async () => {
    const rows = blobRows(150, 3);
    const a = await trainPipeline({ spec: classification, schema: blobSchema, rows });
    const b = await trainPipeline({ spec: classification, schema: blobSchema, rows });
    expect(b.metrics).toEqual(a.metrics);
    expect(b.fit.history).toEqual(a.fit.history);
    expect(sha256Hex(b.files[1]!.bytes)).toBe(sha256Hex(a.files[1]!.bytes));
    const c = await trainPipeline({
      spec: { ...classification, seed: 8 },
      schema: blobSchema,
      rows,
    });
    expect(sha256Hex(c.files[1]!.bytes)).not.toBe(sha256Hex(a.files[1]!.bytes));
  });

  it('produces a bundle that loads and predicts the same as the evaluation', async () => {
    const out = await trainPipeline({
      spec: classification,
      schema: blobSchema,
      rows: blobRows(150, 4),
    });
    const manifest = bundleManifestSchema.parse(
      buildManifest({
        run: { id: 'run_00000001', datasetId: 'ds_00000001', datasetHash: 'a'.repeat(64) },
        spec: classification,
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
    expect(manifest.lineage).toMatchObject({
      runId: 'run_00000001',
      seed: 7,
      backend: 'cpu',
      preset: 'mlp-small',
      tfjsVersion: '4.22.0',
    });
    const tf = getTf();
    const model = await loadBundleModel(manifest, new Map(out.files.map((f) => [f.path, f.bytes])));
    const records = [
      { x1: 0.1, x2: -0.2, color: 'red', flag: true },
      { x1: 6.2, x2: 0.3, color: null, flag: false },
      { x1: null, x2: 6.1, color: 'unknown-colour', flag: true },
    ];
    const x = tf.tensor2d(encodeFeatures(manifest.preprocessing, records), [
      3,
      manifest.preprocessing.inputWidth,
    ]);
    const y = model.predict(x) as Tensor;
    const predictions = decodePredictions(manifest.preprocessing, y.dataSync() as Float32Array, 3);
    tf.dispose([x, y]);
    model.dispose();
    expect(predictions.map((p) => ('label' in p ? p.label : null))).toEqual([
      'setosa',
      'versicolor',
      'virginica',
    ]);
  });

  it('fits a regression and reports rmse, mae and r2 in target units', async () => {
    const out = await trainPipeline({
      spec: spec({
        task: 'regression',
        target: 'y',
        preset: 'linear',
        hyperparameters: { epochs: 60, batchSize: 16, learningRate: 0.05 },
      }),
      schema: linearSchema,
      rows: linearRows(300),
    });
    expect(Object.keys(out.metrics).sort()).toEqual(['mae', 'r2', 'rmse']);
    expect(out.metrics.r2).toBeGreaterThan(0.95);
    expect(out.metrics.rmse).toBeLessThan(1.5);
    expect(out.sizes.dropped).toBeGreaterThan(0);
    expect(out.signature.output).toEqual({ task: 'regression', target: 'y' });
  });

  it('stops early on a plateau and restores the best weights', async () => {
    const out = await trainPipeline({
      spec: spec({
        task: 'classification',
        target: 'species',
        seed: 7,
        hyperparameters: { epochs: 500, learningRate: 0.05, earlyStoppingPatience: 3 },
      }),
      schema: blobSchema,
      rows: blobRows(150, 5),
    });
    expect(out.fit.stoppedEarly).toBe(true);
    expect(out.fit.epochsRun).toBeLessThan(500);
    expect(out.fit.epochsRun - out.fit.bestEpoch).toBe(3);
    expect(out.fit.restoredBest).toBe(true);
    const best = out.fit.history[out.fit.bestEpoch - 1]!.valLoss!;
    expect(Math.min(...out.fit.history.map((h) => h.valLoss ?? Infinity))).toBe(best);
  });

  it('rejects bad specs and datasets with BAD_DATASET', async () => {
    const run = (s: Parameters<typeof spec>[0], rows = blobRows(60)) =>
      trainPipeline({ spec: spec(s), schema: blobSchema, rows }).catch((e: unknown) => e);
    const missingTarget = await run({ task: 'classification', target: 'nope' });
    expect(missingTarget).toBeInstanceOf(AppError);
    expect((missingTarget as AppError).code).toBe('BAD_DATASET');
    expect((missingTarget as AppError).message).toMatch(/"nope" is not a column/);

    const singleClass = await run(
      { task: 'classification', target: 'species' },
      blobRows(60).map((r) => ({ ...r, species: 'setosa' })),
    );
    expect((singleClass as AppError).message).toMatch(/at least 2/);

    const tooFew = await run({ task: 'classification', target: 'species' }, blobRows(5));
    expect((tooFew as AppError).message).toMatch(/at least 10/);

    const badRegression = await run({ task: 'regression', target: 'species' });
    expect((badRegression as AppError).message).toMatch(/numeric target/);

    const badFeature = await run({
      task: 'classification',
      target: 'species',
      features: ['x1', 'zz'],
    });
    expect((badFeature as AppError).message).toMatch(/"zz"/);
  });
});
