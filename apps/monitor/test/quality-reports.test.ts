import { describe, expect, it } from 'vitest';
import {
  driftPolicySchema,
  driftReportSchema,
  monitorHistorySchema,
  predictionDriftSchema,
} from '@mlops/contracts';
import { staticProfileSource } from '../src/profiles';
import { columns, featureRows, referenceProfile } from './fixtures';
import { useMonitorApp } from './monitor-app';

// A classification model: drift, prediction drift (its first 40 outputs are the baseline),
// history and quality answer over tRPC.
const monitor = useMonitorApp({
  profiles: staticProfileSource({
    'shop@1': { columns, profile: referenceProfile(), task: 'classification' },
  }),
  policy: driftPolicySchema.parse({ minRows: 10 }),
  predictionBaselineRows: 40,
});

const label = (l: string) => ({ label: l, probabilities: { [l]: 0.9 } });

describe('reports over tRPC', () => {
  it('drift by count and by time, prediction drift, history, and 4xx for bad input', async () => {
    // 40 baseline predictions mostly "a", then 60 mostly "b": the outputs drifted.
    const rows = featureRows(100, 3);
    await monitor.log(
      'shop',
      1,
      rows.map((features, i) => ({
        id: `d${i}`,
        features,
        prediction: label(i < 40 ? (i % 10 === 0 ? 'b' : 'a') : i % 10 === 0 ? 'a' : 'b'),
      })),
    );
    const drift = await monitor.trpc('drift', { model: 'shop', window: 50 });
    expect(drift.status).toBe(200);
    expect(driftReportSchema.parse(drift.body.result?.data).window.rows).toBe(50);
    const byTime = await monitor.trpc('drift', {
      model: 'shop',
      windowMs: 3_600_000,
      window: 2_000,
    });
    expect(driftReportSchema.parse(byTime.body.result?.data).window.rows).toBeGreaterThanOrEqual(
      100,
    );
    const rest = await monitor.app.inject({
      method: 'GET',
      url: '/v1/drift/shop?windowMs=1&window=500',
    });
    expect(driftReportSchema.parse(rest.json()).window.rows).toBeLessThan(100);

    const pd = await monitor.trpc('predictionDrift', { model: 'shop' });
    const p = predictionDriftSchema.parse(pd.body.result?.data);
    expect(p.referenceRows).toBe(40);
    expect(p.report?.columns[0]).toMatchObject({
      column: 'prediction',
      method: 'z',
      drifted: true,
    });

    const history = monitorHistorySchema.parse(
      (await monitor.trpc('history', { model: 'shop' })).body.result?.data,
    );
    expect(history.drift.length).toBeGreaterThan(0);
    expect(history.retraining).toEqual([]); // no registry: retraining is off

    const bad = await monitor.trpc('drift', { model: 'Not A Name' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.data?.appCode).toBe('VALIDATION_FAILED');
    const unknown = await monitor.trpc('quality', { model: 'nobody' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.data?.appCode).toBe('NOT_FOUND');
    const tooBig = await monitor.trpc('drift', { model: 'shop', window: 1_000_000 });
    expect(tooBig.status).toBe(400);
  });
});
