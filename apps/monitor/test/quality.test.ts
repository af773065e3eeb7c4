import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  driftPolicySchema,
  driftReportSchema,
  errorBodySchema,
  feedbackResponseSchema,
  monitorHistorySchema,
  predictionDriftSchema,
  qualityReportSchema,
  redisKeys,
  retrainPolicySchema,
} from '@mlops/contracts';
import type { PredictionLogEntry } from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp } from '../src/app';
import { staticProfileSource } from '../src/profiles';
import { classificationMetrics, regressionMetrics } from '../src/quality';
import { columns, featureRows, referenceProfile, everyCaller, TEST_CALLER } from './fixtures';

const prefix = `test-${randomUUID()}`;
const keys = redisKeys(prefix);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
let app: FastifyInstance;

async function log(
  model: string,
  version: number,
  entries: Array<Omit<PredictionLogEntry, 'model' | 'version' | 'at'> & { at?: string }>,
) {
  const pipeline = redis.pipeline();
  for (const e of entries) {
    const entry: PredictionLogEntry = {
      principal: TEST_CALLER.name,
      at: new Date().toISOString(),
      ...e,
      model,
      version,
    };
    pipeline.xadd(keys.predictions(model), '*', 'entry', JSON.stringify(entry));
  }
  await pipeline.exec();
}

const label = (l: string) => ({ label: l, probabilities: { [l]: 0.9 } });

async function trpc(path: string, input: unknown) {
  const res = await app.inject({
    method: 'GET',
    url: `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`,
  });
  return {
    status: res.statusCode,
    body: res.json<{ result?: { data: unknown }; error?: { data?: { appCode?: string } } }>(),
  };
}

async function feedback(body: unknown) {
  const res = await app.inject({ method: 'POST', url: '/v1/feedback', payload: body as object });
  return { status: res.statusCode, body: res.json<unknown>() };
}

beforeAll(async () => {
  const reference = {
    columns,
    profile: referenceProfile(),
    task: 'classification' as const,
    heldout: { accuracy: 0.95, macro_f1: 0.94 },
  };
  app = await buildApp({
    callers: everyCaller,
    redisUrl: REDIS_URL,
    prefix,
    profiles: staticProfileSource({
      'shop@1': reference,
      'price@1': { ...reference, task: 'regression', heldout: { rmse: 1 } },
    }),
    policy: driftPolicySchema.parse({ minRows: 10 }),
    windowRetain: 2_000,
    pollMs: 100,
    alertCooldownMs: 60_000,
    predictionBaselineRows: 40,
    logger: createLogger('monitor-test', 'silent'),
    retrainPolicy: () => retrainPolicySchema.parse({ minFeedback: 5, minAccuracy: 0.8 }),
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  await redis.quit();
});

describe('live quality metrics', () => {
  it('matches sklearn on a fixed sample', () => {
    // sklearn.metrics on y_true=[a,a,a,b,b,c], y_pred=[a,a,b,b,c,c]:
    // accuracy_score = 4/6; f1_score(average='macro') = mean(0.8, 0.5, 0.6667) = 0.65556
    const truth = ['a', 'a', 'a', 'b', 'b', 'c'];
    const pred = ['a', 'a', 'b', 'b', 'c', 'c'];
    const rows = truth.map((t, i) => ({
      predictionId: String(i),
      features: {},
      truth: t,
      predicted: pred[i]!,
    }));
    const m = classificationMetrics(rows);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('computes rmse and mae', () => {
    // errors 1, -2, 0, 3 → rmse = sqrt(14/4), mae = 6/4
    const pairs: Array<[number, number]> = [
      [1, 2],
      [4, 2],
      [5, 5],
      [0, 3],
    ];
    const rows = pairs.map(([t, p], i) => ({
      predictionId: String(i),
      features: {},
      truth: t,
      predicted: p,
    }));
    const m = regressionMetrics(rows);
    expect(m.rmse).toBeCloseTo(Math.sqrt(14 / 4), 12);
    expect(m.mae).toBeCloseTo(1.5, 12);
  });
});

describe('POST /v1/feedback', () => {
  it('names the field that is wrong', async () => {
    const cases: Array<[unknown, string]> = [
      [{ label: 'a' }, 'predictionId'],
      [{ predictionId: 'p1' }, 'label'],
      [{ predictionId: 'p1', label: 'a', value: 1 }, 'value'],
      [{ predictionId: 'p1', label: 'a', extra: 1 }, '(root)'],
      [
        {
          items: [
            { predictionId: 'p1', label: 'a' },
            { predictionId: 'p2', label: 7 },
          ],
        },
        'items[1].label',
      ],
      [{ items: [] }, 'items'],
      [[1, 2], '(root)'],
    ];
    for (const [body, path] of cases) {
      const { status, body: res } = await feedback(body);
      expect(status, JSON.stringify(body)).toBe(400);
      const err = errorBodySchema.parse(res);
      expect(err.error.code).toBe('VALIDATION_FAILED');
      expect(
        err.error.details?.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
  });

  it("refuses, naming each id and why: unknown ids, other clients' predictions, old ones", async () => {
    await log('shop', 1, [
      {
        id: 'theirs',
        features: featureRows(1, 1)[0]!,
        prediction: label('a'),
        principal: 'token:other',
      },
      {
        id: 'old',
        features: featureRows(1, 2)[0]!,
        prediction: label('a'),
        at: new Date(Date.now() - 8 * 24 * 3_600_000).toISOString(),
      },
      { id: 'mine', features: featureRows(1, 3)[0]!, prediction: label('a') },
    ]);
    const cases: Array<[string, number, RegExp]> = [
      ['guessed-0', 404, /"guessed-0": no such prediction/],
      ['theirs', 403, /"theirs": it was not served to token:test/],
      ['old', 409, /"old": it was served more than/],
    ];
    for (const [id, status, message] of cases) {
      const res = await feedback({
        items: [
          { predictionId: 'mine', label: 'a' },
          { predictionId: id, label: 'b' },
        ],
      });
      expect(res.status, id).toBe(status);
      const err = errorBodySchema.parse(res.body);
      expect(err.error.message).toMatch(message);
      expect(err.error.details?.map((d) => d.path)).toEqual(['items[1].predictionId']);
    }
    // Nothing of a refused request was stored: `mine` still takes its truth once.
    expect((await feedback({ predictionId: 'mine', label: 'a' })).status).toBe(200);
    expect((await feedback({ predictionId: 'mine', label: 'a' })).status).toBe(404);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const reason of ['unknown', 'not-yours', 'expired'])
      expect(metrics).toMatch(
        new RegExp(`monitor_feedback_refused_total\\{reason="${reason}"\\} [1-9]`),
      );
  });

  it('switches automatic retraining per model, off by default, recording who', async () => {
    const url = '/v1/models/shop/retraining';
    expect((await app.inject({ method: 'GET', url })).json()).toMatchObject({
      enabled: false,
      by: null,
    });
    const bad = await app.inject({ method: 'PUT', url, payload: { enabled: true, dryRun: 1 } });
    expect(bad.statusCode).toBe(400);
    const on = await app.inject({
      method: 'PUT',
      url,
      payload: { enabled: true, reason: 'labels are audited' },
    });
    expect(on.json()).toMatchObject({
      enabled: true,
      by: TEST_CALLER.name,
      reason: 'labels are audited',
    });
    expect((await app.inject({ method: 'GET', url })).json()).toMatchObject({ enabled: true });
    await app.inject({ method: 'PUT', url, payload: { enabled: false } });
  });

  it('joins truth with logged predictions and reports live quality', async () => {
    await log('shop', 1, [
      ...Array.from({ length: 6 }, (_, i) => ({
        id: `s${i}`,
        features: featureRows(1, i)[0]!,
        prediction: label('a'),
      })),
    ]);
    // s0..s3 right, s4 s5 wrong; `late` is logged only after its truth was sent (within the
    // grace the monitor gives serving's asynchronous log).
    const late = feedback({ predictionId: 'late', label: 'b' });
    await log('shop', 1, [{ id: 'late', features: featureRows(1, 9)[0]!, prediction: label('a') }]);
    expect((await late).status).toBe(200);
    const first = await feedback({
      items: [
        { predictionId: 's0', label: 'a' },
        { predictionId: 's1', label: 'a' },
        { predictionId: 's2', label: 'a' },
        { predictionId: 's3', label: 'a' },
        { predictionId: 's4', label: 'b' },
      ],
    });
    expect(first.status).toBe(200);
    expect(feedbackResponseSchema.parse(first.body)).toEqual({ accepted: 5, pending: [] });
    const single = await feedback({ predictionId: 's5', label: 'b' });
    expect(single.status).toBe(200);
    expect(feedbackResponseSchema.parse(single.body)).toEqual({ accepted: 1, pending: [] });
    const q = await (async () => {
      for (;;) {
        const { status, body } = await trpc('quality', { model: 'shop' });
        expect(status).toBe(200);
        const r = qualityReportSchema.parse(body.result?.data);
        if (r.samples === 8) return r;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    expect(q).toMatchObject({
      model: 'shop',
      version: 1,
      task: 'classification',
      insufficientData: false,
    });
    // s0..s3 and `mine` (the previous test) right, s4, s5 and `late` wrong.
    expect(q.live.accuracy).toBeCloseTo(5 / 8, 12);
    expect(q.heldout).toEqual({ accuracy: 0.95, macro_f1: 0.94 });
    expect(q.watched).toEqual({ metric: 'accuracy', threshold: 0.8, degraded: true });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /monitor_live_quality\{model="shop",version="1",metric="accuracy"\} 0\.625/,
    );
  });

  it('refuses a value for a classification prediction, naming the field', async () => {
    await log('shop', 1, [{ id: 'k1', features: featureRows(1, 1)[0]!, prediction: label('a') }]);
    const { status, body } = await feedback({ predictionId: 'k1', value: 3 });
    expect(status).toBe(400);
    expect(errorBodySchema.parse(body).error.details?.[0]?.path).toBe('label');
  });

  it('reports regression quality against the held-out rmse', async () => {
    await log(
      'price',
      1,
      Array.from({ length: 5 }, (_, i) => ({
        id: `r${i}`,
        features: {},
        prediction: { value: i },
      })),
    );
    const res = await feedback({
      items: Array.from({ length: 5 }, (_, i) => ({ predictionId: `r${i}`, value: i + 2 })),
    });
    expect(res.status).toBe(200);
    const { body } = await trpc('quality', { model: 'price' });
    const q = qualityReportSchema.parse(body.result?.data);
    expect(q.live.rmse).toBeCloseTo(2, 12);
    expect(q.watched).toEqual({ metric: 'rmse', threshold: 1.5, degraded: true });
  });
});

describe('reports over tRPC', () => {
  it('drift by count and by time, prediction drift, history, and 4xx for bad input', async () => {
    // 40 baseline predictions mostly "a", then 60 mostly "b": the outputs drifted.
    const rows = featureRows(100, 3);
    await log(
      'shop',
      1,
      rows.map((features, i) => ({
        id: `d${i}`,
        features,
        prediction: label(i < 40 ? (i % 10 === 0 ? 'b' : 'a') : i % 10 === 0 ? 'a' : 'b'),
      })),
    );
    const drift = await trpc('drift', { model: 'shop', window: 50 });
    expect(drift.status).toBe(200);
    expect(driftReportSchema.parse(drift.body.result?.data).window.rows).toBe(50);
    const byTime = await trpc('drift', { model: 'shop', windowMs: 3_600_000, window: 2_000 });
    expect(driftReportSchema.parse(byTime.body.result?.data).window.rows).toBeGreaterThanOrEqual(
      100,
    );
    const rest = await app.inject({ method: 'GET', url: '/v1/drift/shop?windowMs=1&window=500' });
    expect(driftReportSchema.parse(rest.json()).window.rows).toBeLessThan(100);

    const pd = await trpc('predictionDrift', { model: 'shop' });
    const p = predictionDriftSchema.parse(pd.body.result?.data);
    expect(p.referenceRows).toBe(40);
    expect(p.report?.columns[0]).toMatchObject({
      column: 'prediction',
      method: 'z',
      drifted: true,
    });

    const history = monitorHistorySchema.parse(
      (await trpc('history', { model: 'shop' })).body.result?.data,
    );
    expect(history.drift.length).toBeGreaterThan(0);
    expect(history.retraining).toEqual([]); // no registry: retraining is off

    const bad = await trpc('drift', { model: 'Not A Name' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.data?.appCode).toBe('VALIDATION_FAILED');
    const unknown = await trpc('quality', { model: 'nobody' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.data?.appCode).toBe('NOT_FOUND');
    const tooBig = await trpc('drift', { model: 'shop', window: 1_000_000 });
    expect(tooBig.status).toBe(400);
  });
});
