/**
 * `serving_requests_total{model, status}` counts the predict requests of every protocol — TF
 * Serving, Open Inference v2 and MLflow — by the status they were answered with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { ServingApp } from '../src/app';
import { postJson, REDIS_URL, serveIris, tearDown, testPrefix } from './support/app';
import { BundleFactory } from './support/bundle';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

const post = (url: string, body: unknown) => postJson(app, url, body);

/** serving_requests_total of iris by status, as the metrics endpoint shows it now. */
async function counts(): Promise<Record<string, number>> {
  const text = (await app.inject('/metrics')).body;
  const found: Record<string, number> = {};
  for (const m of text.matchAll(/^serving_requests_total\{model="iris",status="(\d+)"\} (\d+)$/gm))
    found[m[1]!] = Number(m[2]);
  return found;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix);
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('serving_requests_total', () => {
  it('counts answered and refused predictions of all three protocols', async () => {
    const row = { x: 1.5, y: 1.2, color: 'red' };
    const v2Inputs = [
      { name: 'x', shape: [1], datatype: 'FP32', data: [1.5] },
      { name: 'y', shape: [1], datatype: 'FP32', data: [1.2] },
      { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
    ];
    const before = await counts();
    const answered = [
      await post('/v1/models/iris:predict', { instances: [row] }),
      await post('/v2/models/iris/infer', { inputs: v2Inputs }),
      await post('/invocations', { dataframe_records: [row] }),
    ];
    expect(answered.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const refused = [
      await post('/v1/models/iris:predict', { instances: [{ x: 'a' }] }),
      await post('/v2/models/iris/infer', { inputs: [v2Inputs[0]] }),
      await post('/invocations', { dataframe_records: [{ x: 'a' }] }),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([400, 400, 400]);
    const after = await counts();
    expect((after['200'] ?? 0) - (before['200'] ?? 0)).toBe(3);
    expect((after['400'] ?? 0) - (before['400'] ?? 0)).toBe(3);
  });
});
