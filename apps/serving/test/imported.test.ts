import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  BUNDLE_FORMAT_VERSION,
  predictResponseSchema,
  type BundleManifest,
  type Signature,
  externalLineage,
} from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { importedPreprocessing, serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { graphModelFiles } from '@mlops/ml/testing';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';

type Files = Array<{ path: string; bytes: Uint8Array }>;
const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;

/** What versions.import registers: identity preprocessing from the declared inputs. */
function publishImported(
  source: MemoryModelSource,
  name: string,
  signature: Signature,
  files: Files,
) {
  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: signature.output.task,
    signature,
    preprocessing: importedPreprocessing(signature.inputs, signature),
    metrics: {},
    lineage: externalLineage('imported'),
    files: files.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.byteLength,
    })),
  };
  for (const f of files) source.putBlob(sha256Hex(f.bytes), f.bytes);
  source.addVersion(name, 1, manifest);
  source.setAlias(name, 'champion', 1);
}

function predict(name: string, instances: unknown[]) {
  return app.inject({
    method: 'POST',
    url: `/v1/models/${name}:predict?format=platform`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ instances }),
  });
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await initBackend('auto');
  const tf = getTf();
  // A "Keras" classifier trained elsewhere: class hi when a + [c = v] > 0 (weights set by hand).
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })],
  });
  model.setWeights([
    tf.tensor2d([
      [1, -1],
      [0, 0],
      [1, -1],
    ]),
    tf.tensor1d([0, 0]),
  ]);
  const layersFiles = await serializeModel(model);
  model.dispose();

  const source = new MemoryModelSource();
  publishImported(
    source,
    'byo-layers',
    {
      inputs: [
        { name: 'a', type: 'numeric', nullable: true },
        { name: 'c', type: 'categorical', nullable: false, categories: ['u', 'v'] },
      ],
      output: { task: 'classification', target: 'k', labels: ['hi', 'lo'] },
    },
    layersFiles,
  );
  publishImported(
    source,
    'byo-graph',
    {
      inputs: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'b', type: 'numeric', nullable: false },
      ],
      output: { task: 'regression', target: 'y' },
    },
    graphModelFiles(),
  );
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'byo-layers,byo-graph',
  });
  await eventually(
    () => app.serving.models.get('byo-layers')?.loaded ?? undefined,
    'layers loaded',
  );
  await eventually(() => app.serving.models.get('byo-graph')?.loaded ?? undefined, 'graph loaded');
});

afterAll(() => tearDown({ app, redis, prefix }));

describe('serving an imported model', () => {
  it('answers raw records with a layers model trained elsewhere', async () => {
    const res = await predict('byo-layers', [
      { a: 2, c: 'u' },
      { a: -3, c: 'u' },
      { a: null, c: 'v' },
    ]);
    expect(res.statusCode).toBe(200);
    const body = predictResponseSchema.parse(res.json());
    expect(body.model).toMatchObject({ name: 'byo-layers', version: 1 });
    expect(body.predictions.map((p) => ('label' in p ? p.label : null))).toEqual([
      'hi',
      'lo',
      'hi',
    ]);
  });

  it('answers raw records with a graph model (tf.loadGraphModel)', async () => {
    const res = await predict('byo-graph', [
      { a: 1, b: 2 },
      { a: -1, b: 0.5 },
    ]);
    expect(res.statusCode).toBe(200);
    const body = predictResponseSchema.parse(res.json());
    expect(body.predictions).toEqual([{ value: 8 }, { value: -0.5 }]);
  });

  it('checks records against the declared signature', async () => {
    const res = await predict('byo-graph', [{ a: 'x', b: 1 }]);
    expect(res.statusCode).toBe(400);
  });
});
