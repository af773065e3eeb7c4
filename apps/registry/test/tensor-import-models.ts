import { afterAll, beforeAll } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BundleFile } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';
import { uploadBlob } from './tensor-import-helpers';

export interface TensorImportRegistry {
  r: TestRegistry;
  tf: ReturnType<typeof getTf>;
  /** A tiny conv model: [-1, 32, 32, 3] → 3 classes. */
  conv: tfTypes.LayersModel;
  convFiles: BundleFile[];
  /** Two named inputs (features [-1, 4], sequence [-1, 8, 2]), two outputs (probs, embedding). */
  twoInputs: tfTypes.LayersModel;
  twoInputFiles: BundleFile[];
  /** Uploads the files as blobs: the `files` of an import. */
  uploadAll: (files: Array<{ path: string; bytes: Uint8Array }>) => Promise<BundleFile[]>;
  /** `versions.import` as a classification of `label`, `body` on top. */
  importTensor: (body: Record<string, unknown>) => ReturnType<typeof trpc>;
}

/**
 * A registry and two small TF.js models uploaded to it, for one test file of tensor imports:
 * made in `beforeAll`, disposed and closed in `afterAll`.
 */
export function useTensorImportRegistry(): TensorImportRegistry {
  const t = {
    uploadAll: (files) => Promise.all(files.map((f) => uploadBlob(t.r, f.path, f.bytes))),
    importTensor: (body) =>
      trpc(
        t.r.app,
        'mutation',
        'versions.import',
        { task: 'classification', target: 'label', ...body },
        t.r.auth,
      ),
  } as TensorImportRegistry;
  beforeAll(async () => {
    t.r = await startTestRegistry();
    await initBackend();
    const tf = (t.tf = getTf());
    const image = tf.input({ shape: [32, 32, 3], name: 'image' });
    const maps = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, activation: 'relu' })
      .apply(image) as tfTypes.SymbolicTensor;
    const flatMaps = tf.layers.flatten().apply(maps) as tfTypes.SymbolicTensor;
    const scores = tf.layers
      .dense({ units: 3, activation: 'softmax', name: 'scores' })
      .apply(flatMaps) as tfTypes.SymbolicTensor;
    t.conv = tf.model({ inputs: image, outputs: scores });
    t.convFiles = await t.uploadAll(await serializeModel(t.conv));

    const features = tf.input({ shape: [4], name: 'features' });
    const sequence = tf.input({ shape: [8, 2], name: 'sequence' });
    const flat = tf.layers.flatten().apply(sequence) as tfTypes.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([features, flat]) as tfTypes.SymbolicTensor;
    const embedding = tf.layers
      .dense({ units: 3, name: 'embedding' })
      .apply(joined) as tfTypes.SymbolicTensor;
    const probs = tf.layers
      .dense({ units: 2, activation: 'softmax', name: 'probs' })
      .apply(embedding) as tfTypes.SymbolicTensor;
    t.twoInputs = tf.model({ inputs: [features, sequence], outputs: [probs, embedding] });
    t.twoInputFiles = await t.uploadAll(await serializeModel(t.twoInputs));
  });
  afterAll(async () => {
    t.conv?.dispose();
    t.twoInputs?.dispose();
    await t.r?.close();
  });
  return t;
}
