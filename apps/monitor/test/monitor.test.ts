import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  driftPolicySchema,
  driftReportSchema,
  errorBodySchema,
  platformEventSchema,
  redisKeys,
} from '@mlops/contracts';
import type { PlatformEvent } from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp } from '../src/app';
import { staticProfileSource } from '../src/profiles';
import { columns, featureRows, logEntry, referenceProfile, everyCaller } from './fixtures';

const prefix = `test-${randomUUID()}`;
const keys = redisKeys(prefix);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const subscriber = new Redis(REDIS_URL);
const events: PlatformEvent[] = [];
let onEvent: (() => void) | null = null;
let app: FastifyInstance;

async function xadd(
  model: string,
  version: number,
  rows: ReturnType<typeof featureRows>,
  from = 0,
) {
  const pipeline = redis.pipeline();
  rows.forEach((features, i) => {
    const entry = logEntry(model, version, from + i, features);
    pipeline.xadd(
      keys.predictions(model),
      'MAXLEN',
      '~',
      '100000',
      '*',
      'entry',
      JSON.stringify(entry),
    );
  });
  const results = (await pipeline.exec()) ?? [];
  return results.map(([, id]) => String(id));
}

async function drift(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json<unknown>() };
}

beforeAll(async () => {
  // Subscribe on a connection that is ready: a SUBSCRIBE racing ioredis's connect-time ready
  // check (INFO) put the connection in subscriber mode first, the check failed, and the test
  // missed every event (seen about one run in three).
  if (subscriber.status !== 'ready')
    await new Promise((resolve) => subscriber.once('ready', resolve));
  await subscriber.subscribe(keys.events);
  subscriber.on('message', (_channel, message: string) => {
    events.push(platformEventSchema.parse(JSON.parse(message)));
    onEvent?.();
  });
  const reference = { columns, profile: referenceProfile() };
  app = await buildApp({
    callers: everyCaller,
    redisUrl: REDIS_URL,
    prefix,
    profiles: staticProfileSource({ 'shop@1': reference, 'tiny@1': reference }),
    policy: driftPolicySchema.parse({}),
    windowRetain: 2_000,
    pollMs: 100,
    alertCooldownMs: 60_000,
    logger: createLogger('monitor-test', 'silent'),
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  await subscriber.quit();
  await redis.quit();
});

describe('monitor drift reports on real Redis streams', () => {
  let lastReferenceId = '';

  it('reports no drift for traffic drawn from the training distribution', async () => {
    const ids = await xadd('shop', 1, featureRows(300, 7));
    lastReferenceId = ids.at(-1)!;
    const { status, body } = await drift('/v1/drift/shop');
    expect(status).toBe(200);
    const report = driftReportSchema.parse(body);
    expect(report).toMatchObject({ model: 'shop', version: 1, insufficientData: false });
    expect(report.window.rows).toBe(300);
    expect(report.referenceRows).toBe(800);
    expect(report.columns.map((c) => [c.column, c.method])).toEqual([
      ['x', 'ks'],
      ['y', 'ks'],
      ['color', 'chi2'],
      ['flag', 'z'],
    ]);
    expect(report.datasetDrift).toBe(false);
  });

  it('finds drift when two numeric columns shift by 3 std, and publishes drift.detected', async () => {
    const published = new Promise<void>((resolve) => {
      onEvent = () => {
        if (events.some((e) => e.type === 'drift.detected' && e.model === 'shop')) resolve();
      };
    });
    await xadd('shop', 1, featureRows(300, 8, 3), 300);
    // window=N: the last N entries, i.e. only the shifted traffic.
    const { status, body } = await drift('/v1/drift/shop?window=300');
    expect(status).toBe(200);
    const report = driftReportSchema.parse(body);
    expect(report.window.rows).toBe(300);
    expect(report.driftedColumns).toEqual(['x', 'y']);
    expect(report.driftShare).toBe(0.5);
    expect(report.datasetDrift).toBe(true);
    await published;
    const event = events.find((e) => e.type === 'drift.detected' && e.model === 'shop');
    expect(event).toMatchObject({ type: 'drift.detected', model: 'shop', version: 1 });
  });

  it('limits the window with ?since= (stream id or ISO time)', async () => {
    const afterRef = driftReportSchema.parse(
      (await drift(`/v1/drift/shop?since=${lastReferenceId}`)).body,
    );
    expect(afterRef.window.rows).toBe(300);
    expect(afterRef.datasetDrift).toBe(true);
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    const none = driftReportSchema.parse((await drift(`/v1/drift/shop?since=${future}`)).body);
    expect(none).toMatchObject({ insufficientData: true, columns: [], datasetDrift: false });
    expect(none.window.rows).toBe(0);
  });

  it('publishes drift.detected at most once per model+version within the cooldown', async () => {
    await drift('/v1/drift/shop?window=300');
    await drift('/v1/drift/shop?window=300');
    expect(events.filter((e) => e.type === 'drift.detected' && e.model === 'shop')).toHaveLength(1);
  });

  it('answers insufficientData with too few rows', async () => {
    await xadd('tiny', 1, featureRows(5, 9));
    const { status, body } = await drift('/v1/drift/tiny');
    expect(status).toBe(200);
    expect(driftReportSchema.parse(body)).toMatchObject({
      insufficientData: true,
      datasetDrift: false,
    });
  });

  it('answers 404 naming an unknown model', async () => {
    const { status, body } = await drift('/v1/drift/nope');
    expect(status).toBe(404);
    const parsed = errorBodySchema.parse(body);
    expect(parsed.error.code).toBe('NOT_FOUND');
    expect(parsed.error.message).toContain('"nope"');
  });

  it('answers 404 for a version without a profile', async () => {
    const { status, body } = await drift('/v1/drift/shop?version=7');
    expect(status).toBe(404);
    expect(errorBodySchema.parse(body).error.message).toContain('version 7');
  });

  it.each([
    ['/v1/drift/shop?window=abc', 'window'],
    ['/v1/drift/shop?window=0', 'window'],
    ['/v1/drift/shop?window=999999', 'window'],
    ['/v1/drift/shop?version=-1', 'version'],
    ['/v1/drift/shop?version=1.5', 'version'],
    ['/v1/drift/shop?since=yesterday', 'since'],
    ['/v1/drift/Bad%20Name', 'model'],
  ])('answers 400 naming the parameter for %s', async (url, param) => {
    const { status, body } = await drift(url);
    expect(status).toBe(400);
    const parsed = errorBodySchema.parse(body);
    expect(parsed.error.code).toBe('VALIDATION_FAILED');
    expect(parsed.error.details?.map((d) => d.path)).toContain(param);
  });

  it('lists monitored models with row counts', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const { models } = res.json<{ models: Array<{ model: string; rowsConsumed: number }> }>();
    expect(models.find((m) => m.model === 'shop')).toMatchObject({ rowsConsumed: 600 });
    expect(models.find((m) => m.model === 'tiny')).toMatchObject({ rowsConsumed: 5 });
  });

  it('skips stream entries that are not prediction log entries', async () => {
    await redis.xadd(keys.predictions('shop'), '*', 'entry', '{not json');
    await redis.xadd(keys.predictions('shop'), '*', 'other', 'x');
    const { status, body } = await drift('/v1/drift/shop?window=300');
    expect(status).toBe(200);
    expect(driftReportSchema.parse(body).window.rows).toBe(300);
  });
});

describe('monitor service routes', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('monitor_rows_consumed_total{model="shop"} 600');
    expect(metrics.body).toContain('monitor_dataset_drift{model="shop",version="1"}');
    expect(metrics.body).toMatch(
      /monitor_column_drift_score\{model="shop",version="1",column="x",method="ks"\}/,
    );
    expect(metrics.body).toContain('monitor_drift_reports_total');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });

  it('answers 404 with the error body for unknown routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(errorBodySchema.parse(res.json()).error.code).toBe('NOT_FOUND');
  });
});
