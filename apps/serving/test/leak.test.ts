/**
 * Tensor leak: after 50,000 predicted rows (2,000 concurrent requests of 25 rows, through all
 * three protocols, plus failing ones) `tf.memory().numTensors` is back to its baseline. Rows,
 * not requests, are what allocate tensors per batch; 25-row requests keep this test to seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { getTf } from '@mlops/ml/backend';
import type { ServingApp } from '../src/app';
import { REDIS_URL, serveIris, tearDown, testPrefix } from './support/app';
import { BundleFactory } from './support/bundle';

const ROWS_PER_REQUEST = 25;
const REQUESTS = 2_000;
const CONCURRENCY = 50;
const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  // A quickly trained model is enough: these tests are about what the server survives.
  app = await serveIris(factory, prefix, { epochs: 5, env: { SERVING_LOG_SAMPLE_RATE: '0' } });
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

const rows = Array.from({ length: ROWS_PER_REQUEST }, (_, i) => ({
  x: i / 10 - 1,
  y: 0.5,
  color: i % 2 ? 'red' : 'blue',
}));
const bodies = [
  { url: '/v1/models/iris:predict', payload: { instances: rows } },
  { url: '/invocations', payload: { dataframe_records: rows } },
  {
    url: '/v2/models/iris/infer',
    payload: {
      inputs: [
        { name: 'x', shape: [ROWS_PER_REQUEST], datatype: 'FP32', data: rows.map((r) => r.x) },
        { name: 'y', shape: [ROWS_PER_REQUEST], datatype: 'FP32', data: rows.map((r) => r.y) },
        {
          name: 'color',
          shape: [ROWS_PER_REQUEST],
          datatype: 'BYTES',
          data: rows.map((r) => r.color),
        },
      ],
    },
  },
];

describe('tensor leak', () => {
  it(`numTensors is back to baseline after ${REQUESTS * ROWS_PER_REQUEST} predictions`, async () => {
    await app.inject({ method: 'POST', url: bodies[0]!.url, payload: bodies[0]!.payload });
    const baseline = getTf().memory().numTensors;
    let ok = 0;
    for (let sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
      const batch = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) => {
          const b = bodies[(sent + i) % bodies.length]!;
          return app.inject({ method: 'POST', url: b.url, payload: b.payload });
        }),
      );
      for (const r of batch) if (r.statusCode === 200) ok++;
      // Failing requests must not leak either.
      await app.inject({
        method: 'POST',
        url: '/v1/models/iris:predict',
        payload: { instances: [{ x: 'bad' }] },
      });
    }
    expect(ok).toBe(REQUESTS);
    expect(getTf().memory().numTensors).toBe(baseline);
  }, 120_000);
});
