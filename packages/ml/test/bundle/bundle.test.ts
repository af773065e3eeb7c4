import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { AppError, externalLineage, type BundleManifest } from '@mlops/contracts';
import { getTf, initBackend } from '../../src/backend';
import { loadBundleModel, serializeModel, sha256Hex } from '../../src/bundle';

function manifestFor(files: Array<{ path: string; bytes: Uint8Array }>): BundleManifest {
  return {
    formatVersion: 1,
    task: 'regression',
    signature: {
      inputs: [{ name: 'x', type: 'numeric', nullable: false }],
      output: { task: 'regression', target: 'y' },
    },
    preprocessing: {
      features: [{ kind: 'standardize', column: 'x', mean: 0, std: 1, impute: 0 }],
      target: { kind: 'standardize', column: 'y', mean: 0, std: 1 },
      inputWidth: 3,
    },
    metrics: {},
    lineage: externalLineage(),
    files: files.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.byteLength,
    })),
  };
}

describe('bundle', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('sha256Hex matches a known vector', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('round-trips a model through model.json + weights.bin with identical predictions', async () => {
    const tf = getTf();
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 4,
          inputShape: [3],
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    const files = await serializeModel(model);
    expect(files.map((f) => f.path)).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as {
      modelTopology: unknown;
      weightsManifest: Array<{ paths: string[] }>;
    };
    expect(json.modelTopology).toBeTruthy();
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    // (3*4 + 4) + (4*2 + 2) float32 weights
    expect(files[1]!.bytes.byteLength).toBe(26 * 4);

    const loaded = await loadBundleModel(
      manifestFor(files),
      new Map(files.map((f) => [f.path, f.bytes])),
    );
    const input = tf.tensor2d([
      [0.1, -2, 3],
      [1, 1, 1],
    ]);
    const a = model.predict(input) as Tensor;
    const b = loaded.predict(input) as Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([input, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses a corrupted, truncated or missing file, naming it', async () => {
    const tf = getTf();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const files = await serializeModel(model);
    model.dispose();
    const manifest = manifestFor(files);

    const corrupt = new Map(files.map((f) => [f.path, f.bytes.slice()]));
    corrupt.get('weights.bin')![0]! ^= 0xff;
    const err = await loadBundleModel(manifest, corrupt).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('PRECONDITION_FAILED');
    expect((err as AppError).message).toMatch(/"weights.bin".*sha256/);

    const truncated = new Map(files.map((f) => [f.path, f.bytes]));
    truncated.set('model.json', files[0]!.bytes.slice(1));
    await expect(loadBundleModel(manifest, truncated)).rejects.toThrow(
      /"model.json" has \d+ bytes/,
    );

    const missing = new Map([[files[0]!.path, files[0]!.bytes]]);
    await expect(loadBundleModel(manifest, missing)).rejects.toThrow(/"weights.bin" is missing/);
  });

  it('refuses weights not listed in the manifest', async () => {
    const tf = getTf();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const files = await serializeModel(model);
    model.dispose();
    const onlyJson = manifestFor(files.filter((f) => f.path === 'model.json'));
    await expect(
      loadBundleModel(onlyJson, new Map(files.map((f) => [f.path, f.bytes]))),
    ).rejects.toThrow(/not a file of the bundle manifest/);
  });
});
