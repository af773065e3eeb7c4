import { describe, expect, it } from 'vitest';
import {
  driftPolicySchema,
  errorBodySchema,
  feedbackResponseSchema,
  qualityReportSchema,
  retrainPolicySchema,
} from '@mlops/contracts';
import { staticProfileSource } from '../src/profiles';
import { columns, featureRows, referenceProfile, TEST_CALLER } from './fixtures';
import { useMonitorApp } from './monitor-app';

const reference = {
  columns,
  profile: referenceProfile(),
  task: 'classification' as const,
  heldout: { accuracy: 0.95, macro_f1: 0.94 },
};
const monitor = useMonitorApp({
  profiles: staticProfileSource({
    'shop@1': reference,
    'price@1': { ...reference, task: 'regression', heldout: { rmse: 1 } },
  }),
  policy: driftPolicySchema.parse({ minRows: 10 }),
  predictionBaselineRows: 40,
  retrainPolicy: () => retrainPolicySchema.parse({ minFeedback: 5, minAccuracy: 0.8 }),
});

const label = (l: string) => ({ label: l, probabilities: { [l]: 0.9 } });

async function feedback(body: unknown) {
  const res = await monitor.app.inject({
    method: 'POST',
    url: '/v1/feedback',
    payload: body as object,
  });
  return { status: res.statusCode, body: res.json<unknown>() };
}

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
    await monitor.log('shop', 1, [
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
    const metrics = (await monitor.app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const reason of ['unknown', 'not-yours', 'expired'])
      expect(metrics).toMatch(
        new RegExp(`monitor_feedback_refused_total\\{reason="${reason}"\\} [1-9]`),
      );
  });

  it('switches automatic retraining per model, off by default, recording who', async () => {
    const url = '/v1/models/shop/retraining';
    expect((await monitor.app.inject({ method: 'GET', url })).json()).toMatchObject({
      enabled: false,
      by: null,
    });
    const bad = await monitor.app.inject({
      method: 'PUT',
      url,
      payload: { enabled: true, dryRun: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const on = await monitor.app.inject({
      method: 'PUT',
      url,
      payload: { enabled: true, reason: 'labels are audited' },
    });
    expect(on.json()).toMatchObject({
      enabled: true,
      by: TEST_CALLER.name,
      reason: 'labels are audited',
    });
    expect((await monitor.app.inject({ method: 'GET', url })).json()).toMatchObject({
      enabled: true,
    });
    await monitor.app.inject({ method: 'PUT', url, payload: { enabled: false } });
  });

  it('joins truth with logged predictions and reports live quality', async () => {
    await monitor.log('shop', 1, [
      ...Array.from({ length: 6 }, (_, i) => ({
        id: `s${i}`,
        features: featureRows(1, i)[0]!,
        prediction: label('a'),
      })),
    ]);
    // s0..s3 right, s4 s5 wrong; `late` is logged only after its truth was sent (within the
    // grace the monitor gives serving's asynchronous log).
    const late = feedback({ predictionId: 'late', label: 'b' });
    await monitor.log('shop', 1, [
      { id: 'late', features: featureRows(1, 9)[0]!, prediction: label('a') },
    ]);
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
        const { status, body } = await monitor.trpc('quality', { model: 'shop' });
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
    const metrics = await monitor.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /monitor_live_quality\{model="shop",version="1",metric="accuracy"\} 0\.625/,
    );
  });

  it('refuses a value for a classification prediction, naming the field', async () => {
    await monitor.log('shop', 1, [
      { id: 'k1', features: featureRows(1, 1)[0]!, prediction: label('a') },
    ]);
    const { status, body } = await feedback({ predictionId: 'k1', value: 3 });
    expect(status).toBe(400);
    expect(errorBodySchema.parse(body).error.details?.[0]?.path).toBe('label');
  });

  it('reports regression quality against the held-out rmse', async () => {
    await monitor.log(
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
    const { body } = await monitor.trpc('quality', { model: 'price' });
    const q = qualityReportSchema.parse(body.result?.data);
    expect(q.live.rmse).toBeCloseTo(2, 12);
    expect(q.watched).toEqual({ metric: 'rmse', threshold: 1.5, degraded: true });
  });
});
