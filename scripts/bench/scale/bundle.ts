import {
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type Column,
  type DataRow,
  type ModelVersion,
} from '@mlops/contracts';
import type { RegistryClient } from '@mlops/client';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { fitPreprocessing } from '@mlops/ml/preprocessing';
import { profileRows } from '@mlops/ml/profile';

/** Four numeric features → `hidden` → 2 classes: the benchmarks' model, sized by `hidden`. */
export const INPUTS: Column[] = ['a', 'b', 'c', 'd'].map((name) => ({
  name,
  type: 'numeric' as const,
  nullable: false,
}));
const TARGET: Column = {
  name: 'cls',
  type: 'categorical',
  nullable: false,
  categories: ['n', 'p'],
};

const ROWS: DataRow[] = Array.from({ length: 64 }, (_, r) => ({
  a: Math.sin(r),
  b: Math.cos(r),
  c: (r % 7) / 7,
  d: (r % 3) - 1,
  cls: r % 2 ? 'p' : 'n',
}));

export interface BundleShape {
  inputs: Column[];
  /** Rows the preprocessing is fitted on (and profiled, with `profile`): inputs and `cls`. */
  rows: DataRow[];
  /** Ship `profile.json`, the training profile the monitor compares live rows with. */
  profile?: boolean;
}

const SMALL: BundleShape = { inputs: INPUTS, rows: ROWS };

/**
 * An untrained classifier's bundle (random initial weights, so two calls give two different
 * versions): what serving loads, swaps and answers is the same as for a trained one, and
 * building it takes milliseconds instead of a training run.
 */
export async function makeBundle(
  hidden = 8,
  shape: BundleShape = SMALL,
): Promise<{ manifest: BundleManifest; files: Array<{ path: string; bytes: Uint8Array }> }> {
  await initBackend('cpu');
  const tf = getTf();
  const prep = fitPreprocessing(shape.inputs, TARGET, 'classification', shape.rows);
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [prep.inputWidth], units: hidden, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  const files = await serializeModel(model);
  model.dispose();
  if (shape.profile) {
    const profile = profileRows(shape.inputs, shape.rows);
    files.push({ path: 'profile.json', bytes: new TextEncoder().encode(JSON.stringify(profile)) });
  }
  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: 'classification',
    signature: {
      inputs: shape.inputs,
      output: { task: 'classification', target: 'cls', labels: ['n', 'p'] },
    },
    preprocessing: prep,
    metrics: {},
    lineage: {
      runId: null,
      datasetId: null,
      datasetHash: null,
      codeRevision: 'bench-scale',
      preset: null,
      hyperparameters: null,
      seed: null,
      backend: null,
      tfjsVersion: null,
    },
    files: files.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.byteLength,
    })),
  };
  return { manifest, files };
}

/** Store a fresh bundle's blobs and register it as the next version of `model`. */
export async function registerVersion(
  client: RegistryClient,
  model: string,
  hidden = 8,
  shape?: BundleShape,
): Promise<ModelVersion & { bytes: number }> {
  const { manifest, files } = await makeBundle(hidden, shape);
  for (const f of files) await client.uploadBlob(f.bytes);
  const version = await client.api.versions.create.mutate({ model, manifest });
  return { ...version, bytes: files.reduce((s, f) => s + f.bytes.byteLength, 0) };
}

/** A one-row OIP v2 infer body for INPUTS. */
export function v2Body(row = 0): string {
  return JSON.stringify({
    inputs: INPUTS.map((c, i) => ({
      name: c.name,
      shape: [1],
      datatype: 'FP32',
      data: [((row + i) % 9) / 4 - 1],
    })),
  });
}
