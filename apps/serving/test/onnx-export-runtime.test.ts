/**
 * SERVING_RUNTIME=auto on bundles that hold a TF.js model AND an ONNX export (primary: false):
 * a verified export runs on ONNX Runtime (the answers are the graph's), a broken one falls
 * back to the TF.js model, which stays the source of truth, and says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type OnnxArtifact,
  type Signature,
  externalLineage,
} from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { importedPreprocessing, serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { createOnnxSession, readOnnxModel } from '@mlops/ml/onnx';
import { mlpClassifier } from '@mlops/ml/onnx/testing';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, postJson, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const signature: Signature = {
  inputs: ['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'numeric', nullable: false })),
  output: { task: 'classification', target: 'k', labels: ['x', 'y', 'z'] },
};
const goodGraph = mlpClassifier({ inputWidth: 4, hidden: 8, classes: 3, seed: 3 });
// A graph of the wrong width: its warm-up fails, the export is not used.
const badGraph = mlpClassifier({ inputWidth: 6, hidden: 8, classes: 3, seed: 3 });

function publish(
  source: MemoryModelSource,
  name: string,
  files: Array<{ path: string; bytes: Uint8Array }>,
  graph: Uint8Array,
) {
  const all = [...files, { path: 'model.onnx', bytes: graph }];
  const info = readOnnxModel(graph);
  const onnx: OnnxArtifact = {
    file: 'model.onnx',
    opsetVersion: info.opsetVersion,
    producer: info.producer,
    // The manifest describes the graph the export claims: a [batch, 4] input.
    inputs: [{ ...info.inputs[0]!, shape: ['batch', 4] }],
    outputs: info.outputs,
    primary: false,
    verification: { rows: 30, maxAbsDiff: 1e-7, tolerance: 1e-4 },
  };
  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: 'classification',
    signature,
    preprocessing: importedPreprocessing(signature.inputs, signature),
    metrics: {},
    lineage: externalLineage('test'),
    files: all.map((f) => ({ path: f.path, sha256: sha256Hex(f.bytes), size: f.bytes.length })),
    onnx,
  };
  for (const f of all) source.putBlob(sha256Hex(f.bytes), f.bytes);
  source.addVersion(name, 1, manifest);
  source.setAlias(name, 'champion', 1);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await initBackend('auto');
  const tf = getTf();
  const net = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax' })],
  });
  const files = await serializeModel(net);
  net.dispose();
  const source = new MemoryModelSource();
  publish(source, 'exported', files, goodGraph);
  publish(source, 'broken-export', files, badGraph);
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'exported,broken-export',
  });
  for (const m of ['exported', 'broken-export'])
    await eventually(() => app.serving.models.get(m)?.loaded ?? undefined, `${m} loaded`);
});

afterAll(() => tearDown({ app, redis, prefix }));

describe('SERVING_RUNTIME=auto with ONNX exports', () => {
  it('serves a verified export on ONNX Runtime, with the graph answers', async () => {
    expect(app.serving.models.get('exported')?.loaded?.runtime).toEqual({
      runtime: 'onnx',
      reason: null,
      onnxThreads: 1,
    });
    const row = { a: 0.5, b: -1, c: 2, d: 0.25 };
    const session = await createOnnxSession(goodGraph);
    const out = await session.run({
      features: { type: 'float32', data: Float32Array.from([0.5, -1, 2, 0.25]), dims: [1, 4] },
    });
    await session.dispose();
    const res = await postJson(app, '/v1/models/exported:predict', { instances: [row] });
    expect(res.statusCode).toBe(200);
    const [p] = res.json<{ predictions: Array<{ probabilities: number[] }> }>().predictions;
    const expected = Array.from(out.probabilities!.data as Float32Array);
    for (const [k, v] of p!.probabilities.entries()) expect(v).toBeCloseTo(expected[k]!, 6);
  });

  it('falls back to TF.js when the export does not load, and says why', async () => {
    const loaded = app.serving.models.get('broken-export')?.loaded;
    expect(loaded?.runtime.runtime).toBe('tfjs');
    expect(loaded?.runtime.reason).toMatch(/the ONNX export did not load/);
    expect(loaded?.predictor.engine).not.toBe('onnx');
    const res = await postJson(app, '/v1/models/broken-export:predict', {
      instances: [{ a: 1, b: 2, c: 3, d: 4 }],
    });
    expect(res.statusCode).toBe(200);
  });
});
