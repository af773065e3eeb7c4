import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { errorBodySchema, servingStatsSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { histogramQuantile } from '../src/routes/stats';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { BundleFactory, publish } from './support/bundle';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();
const source = new MemoryModelSource();

async function stats(model: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/models/${model}/stats` });
  return { status: res.statusCode, body: res.json<unknown>() };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  publish(source, 'iris', 1, await factory.next(10));
  publish(source, 'iris', 2, await factory.next(10));
  source.setAlias('iris', 'champion', 1);
  source.setAlias('iris', 'challenger', 2);
  publish(source, 'wine', 1, await factory.next(10));
  source.setAlias('wine', 'champion', 1);
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'iris,wine',
    SERVING_ROUTES: 'iris=champion:90,challenger:10;shadow=challenger',
  });
  await eventually(() => app.serving.models.get('iris')?.loaded ?? undefined, 'iris v1 loaded');
  await eventually(() => app.serving.models.get('wine')?.loaded ?? undefined, 'wine v1 loaded');
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('GET /v1/models/{m}/stats', () => {
  it('reports canary weights and shadow before any traffic', async () => {
    const { status, body } = await stats('iris');
    expect(status).toBe(200);
    const s = servingStatsSchema.parse(body);
    expect(s.canary).toBe(true);
    expect(s.routes.map((r) => [r.alias, r.weight, r.share])).toEqual([
      ['champion', 90, 0.9],
      ['challenger', 10, 0.1],
    ]);
    expect(s.shadow).toEqual({ alias: 'challenger' });
    expect(s.total.requests).toBe(0);
    expect(s.total.queueMs.p50).toBeNull();
  });

  it('counts requests, rows and batches per version and gives latency quantiles', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/models/wine:predict',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          instances: [
            { x: 1, y: 2, color: 'red' },
            { x: 3, y: 1, color: 'blue' },
          ],
        }),
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const s = servingStatsSchema.parse((await stats('wine')).body);
    expect(s.canary).toBe(false);
    expect(s.routes).toEqual([{ alias: 'champion', weight: 1, share: 1, requests: 0 }]);
    expect(s.servedVersion).toBe(1);
    expect(s.total.requests).toBe(4);
    expect(s.total.rows).toBe(8);
    expect(s.total.batches).toBeGreaterThan(0);
    expect(s.total.batches).toBeLessThanOrEqual(4);
    expect(s.versions.map((v) => [v.version, v.requests])).toEqual([[1, 4]]);
    expect(s.total.queueMs.count).toBe(4);
    expect(s.total.computeMs.p50).not.toBeNull();
    expect(s.total.computeMs.p99!).toBeGreaterThanOrEqual(s.total.computeMs.p50!);
  });

  it('counts the split per alias', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/models/iris:predict',
        headers: { 'content-type': 'application/json', 'x-request-key': `k${i}` },
        payload: JSON.stringify({ instances: [{ x: 1, y: 1, color: 'red' }] }),
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const s = servingStatsSchema.parse((await stats('iris')).body);
    expect(s.routes.reduce((a, r) => a + r.requests, 0)).toBe(10);
    expect(s.total.requests).toBe(10);
  });

  it('answers 404 for a model it does not serve and 400 for a bad name', async () => {
    const missing = await stats('nope');
    expect(missing.status).toBe(404);
    expect(errorBodySchema.parse(missing.body).error.code).toBe('NOT_FOUND');
    const bad = await stats('%20bad%20name');
    expect(bad.status).toBe(400);
    expect(errorBodySchema.parse(bad.body).error.message).toMatch(/model name/);
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside a bucket like PromQL histogram_quantile', () => {
    const buckets = [
      { le: 0.001, count: 0 },
      { le: 0.002, count: 10 },
      { le: 0.005, count: 10 },
      { le: Infinity, count: 10 },
    ];
    // rank 5 of 10 falls halfway into (0.001, 0.002]: 1.5 ms.
    expect(histogramQuantile(buckets, 0.5)).toBeCloseTo(1.5, 6);
    expect(histogramQuantile(buckets, 0.99)).toBeCloseTo(1.99, 6);
    expect(histogramQuantile([{ le: Infinity, count: 0 }], 0.5)).toBeNull();
  });
});
