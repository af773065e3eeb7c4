import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppError,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type Preprocessing,
  type Signature,
  externalLineage,
} from '@mlops/contracts';
import { getTf, initBackend } from '../../src/backend';
import {
  checkModelFits,
  importedPreprocessing,
  loadBundleModel,
  serializeModel,
  sha256Hex,
} from '../../src/bundle';
import { decodePredictions, encodeFeatures } from '../../src/preprocessing';
import { graphModelFiles } from '../../src/testing';

type Files = Array<{ path: string; bytes: Uint8Array }>;

function manifestFor(signature: Signature, prep: Preprocessing, files: Files): BundleManifest {
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: signature.output.task,
    signature,
    preprocessing: prep,
    metrics: {},
    lineage: externalLineage('imported'),
    files: files.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.byteLength,
    })),
  };
}

describe('imported models', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('builds identity preprocessing from declared inputs', () => {
    const signature: Signature = {
      inputs: [
        { name: 'a', type: 'numeric', nullable: true },
        { name: 'c', type: 'categorical', nullable: false, categories: ['u', 'v'] },
        { name: 'f', type: 'boolean', nullable: true },
      ],
      output: { task: 'regression', target: 'y' },
    };
    const prep = importedPreprocessing(
      [{ ...signature.inputs[0]!, impute: 4 }, signature.inputs[1]!, signature.inputs[2]!],
      signature,
    );
    expect(prep).toEqual({
      features: [
        { kind: 'standardize', column: 'a', mean: 0, std: 1, impute: 4 },
        { kind: 'one-hot', column: 'c', categories: ['u', 'v'], impute: 'u' },
        { kind: 'boolean', column: 'f', impute: false },
      ],
      target: { kind: 'standardize', column: 'y', mean: 0, std: 1 },
      inputWidth: 4,
    });
    expect(Array.from(encodeFeatures(prep, [{ a: 1.5, c: 'v', f: true }]))).toEqual([1.5, 0, 1, 1]);
    const err = (() => {
      try {
        importedPreprocessing([{ name: 'c', type: 'categorical', nullable: false }], signature);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details?.[0]?.path).toBe('inputs[0].categories');
  });

  it('a layers model trained elsewhere predicts raw records through the imported manifest', async () => {
    const tf = getTf();
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 2,
          inputShape: [3],
          activation: 'softmax',
          kernelInitializer: 'zeros',
          biasInitializer: 'zeros',
        }),
      ],
    });
    // Class "hi" wins when a + one-hot(c=v) > 0: weights set by hand, not trained.
    model.setWeights([
      tf.tensor2d([
        [1, -1],
        [0, 0],
        [1, -1],
      ]),
      tf.tensor1d([0, 0]),
    ]);
    const files = await serializeModel(model);
    model.dispose();
    const signature: Signature = {
      inputs: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'c', type: 'categorical', nullable: false, categories: ['u', 'v'] },
      ],
      output: { task: 'classification', target: 'k', labels: ['hi', 'lo'] },
    };
    const prep = importedPreprocessing(signature.inputs, signature);
    const loaded = await loadBundleModel(
      manifestFor(signature, prep, files),
      new Map(files.map((f) => [f.path, f.bytes])),
    );
    expect(checkModelFits(loaded, prep)).toEqual([]);
    const rows = [
      { a: 2, c: 'u' },
      { a: -3, c: 'u' },
    ];
    const y = tf.tidy(
      () =>
        (
          loaded.predict(tf.tensor2d(encodeFeatures(prep, rows), [2, 3])) as ReturnType<
            typeof tf.tensor
          >
        ).dataSync() as Float32Array,
    );
    const predictions = decodePredictions(prep, Float32Array.from(y), 2);
    expect(predictions.map((p) => ('label' in p ? p.label : null))).toEqual(['hi', 'lo']);
    const narrow = importedPreprocessing(signature.inputs.slice(0, 1), signature);
    expect(checkModelFits(loaded, narrow)[0]?.path).toBe('inputs');
    loaded.dispose();
  });

  it('loads a graph model (format "graph-model") and predicts through the same interface', async () => {
    const tf = getTf();
    const files = graphModelFiles();
    const signature: Signature = {
      inputs: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'b', type: 'numeric', nullable: false },
      ],
      output: { task: 'regression', target: 'y' },
    };
    const prep = importedPreprocessing(signature.inputs, signature);
    const loaded = await loadBundleModel(
      manifestFor(signature, prep, files),
      new Map(files.map((f) => [f.path, f.bytes])),
    );
    expect(loaded.inputs[0]?.shape).toEqual([-1, 2]);
    expect(checkModelFits(loaded, prep)).toEqual([]);
    const out = tf.tidy(() => {
      const y = loaded.predict(tf.tensor2d(encodeFeatures(prep, [{ a: 1, b: 2 }]), [1, 2]));
      return (Array.isArray(y) ? y[0]! : y).dataSync() as Float32Array;
    });
    expect(decodePredictions(prep, Float32Array.from(out), 1)).toEqual([{ value: 8 }]);
    const classify: Signature = {
      ...signature,
      output: { task: 'classification', target: 'y', labels: ['p', 'q'] },
    };
    expect(checkModelFits(loaded, importedPreprocessing(signature.inputs, classify))[0]?.path).toBe(
      'labels',
    );
    loaded.dispose();
  });
});
