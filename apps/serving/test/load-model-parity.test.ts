import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { predictResponseSchema } from '@mlops/contracts';
import { createRegistryClient } from '@mlops/client';
import { loadModel, type LoadedModel } from '@mlops/client/load-model';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
// The real registry, in process; serving follows it through its registry client.
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import type { ServingApp } from '../src/app';
import { registrySource } from '../src/models/registry-source';
import { eventually, REDIS_URL, startApp } from './support/app';

// @mlops/client's loadModel predicts in process with serving's answers (issue #18 item 5):
// one registered classifier, served by serving and loaded by loadModel, the same rows to both.

const TOKEN = 'serving-parity-token-0123456789';
let registry: TestRegistry;
let app: ServingApp;
let redis: Redis;
let local: LoadedModel;

const rows = [
  { a: 2, c: 'u' },
  { a: -3, c: 'u' },
  { a: 0.25, c: 'v' },
  { a: null, c: 'v' },
  { a: -0.7, c: 'v' },
];

beforeAll(async () => {
  registry = await startTestRegistry({ token: TOKEN, name: 'serving-parity' });
  const client = createRegistryClient({ url: registry.url, token: TOKEN });
  await initBackend('auto');
  const tf = getTf();
  // A classifier with uneven weights, so probabilities are not round numbers.
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })],
  });
  model.setWeights([
    tf.tensor2d([
      [1.3, -0.7],
      [0.2, 0.45],
      [-0.9, 0.35],
    ]),
    tf.tensor1d([0.1, -0.05]),
  ]);
  const files = [];
  for (const f of await serializeModel(model)) {
    const ref = await client.uploadBlob(f.bytes);
    files.push({ path: f.path, sha256: ref.sha256, size: ref.size });
  }
  model.dispose();
  await client.api.versions.import.mutate({
    model: 'byo',
    task: 'classification',
    target: 'k',
    labels: ['hi', 'lo'],
    inputs: [
      { name: 'a', type: 'numeric', nullable: true },
      { name: 'c', type: 'categorical', nullable: false, categories: ['u', 'v'] },
    ],
    files,
  });
  await client.api.aliases.set.mutate({ model: 'byo', alias: 'champion', version: 1 });

  redis = new Redis(REDIS_URL);
  app = await startApp(registrySource(client), {
    MLOPS_REDIS_PREFIX: registry.prefix,
    SERVING_MODELS: 'models:/byo@champion',
  });
  await eventually(() => app.serving.models.get('byo')?.loaded ?? undefined, 'byo loaded');
  local = await loadModel('models:/byo@champion', {
    registryUrl: registry.url,
    token: TOKEN,
    pollMs: 0,
  });
});

afterAll(async () => {
  await local?.close();
  await app?.close();
  await redis?.quit();
  await registry?.close();
});

describe('loadModel against serving', () => {
  it('answers the same rows exactly as serving does', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/byo:predict?format=platform',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ instances: rows }),
    });
    expect(res.statusCode).toBe(200);
    const served = predictResponseSchema.parse(res.json());
    expect(served.model).toMatchObject({ name: 'byo', version: 1 });
    expect(local.version).toBe(1);
    expect(local.predict(rows)).toEqual(served.predictions);
    // Not a trivial agreement: the rows get different labels.
    expect(new Set(served.predictions.map((p) => ('label' in p ? p.label : null))).size).toBe(2);
  });
});
