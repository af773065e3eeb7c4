import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  PREDICTION_LOG_FIELD,
  driftReportSchema,
  encodePredictionLogColumns,
  type FeatureRecord,
  type PredictionDataQuality,
} from '@mlops/contracts';
import { staticProfileSource } from '../src/profiles';
import { useMonitorApp } from './monitor-app';
import { columns, referenceProfile } from './fixtures';

/**
 * The monitor's data-quality signal: unknown categories and numerics outside the training
 * range in the window, per feature, from the payload log as serving writes it (binary columns
 * messages, rows flagged by serving or not), in the drift report and as a Prometheus gauge.
 */
const monitor = useMonitorApp({
  profiles: staticProfileSource({ 'shop@1': { columns, profile: referenceProfile() } }),
});
const { redis, keys } = monitor;

/** One columns message of `rows`, as serving's payload log writes it. */
async function log(
  rows: FeatureRecord[],
  quality: Array<PredictionDataQuality | null> = [],
  redact: string[] = [],
): Promise<void> {
  const message = encodePredictionLogColumns({
    model: 'shop',
    version: 1,
    at: new Date().toISOString(),
    ids: rows.map(() => randomUUID()),
    rows,
    predictions: rows.map(() => ({ label: 'a', probabilities: { a: 0.6, b: 0.4 } })),
    quality,
    redact: new Set(redact),
  });
  await redis.xadd(
    keys.predictions('shop'),
    '*',
    PREDICTION_LOG_FIELD.columns,
    Buffer.from(message),
  );
}

describe('the data-quality signal', () => {
  it('counts unknown categories and out-of-range numerics per feature in the window', async () => {
    const usual = { x: 10, y: 0, color: 'red', flag: false };
    const rows: FeatureRecord[] = Array.from({ length: 20 }, () => ({ ...usual }));
    rows[0] = { ...usual, color: 'Mars' }; // SERVING_UNKNOWN_CATEGORY=ignore: the value shows it
    rows[1] = { ...usual, color: null }; // =null: only serving's flag says it was unknown
    rows[2] = { ...usual, x: 1_000 }; // far above the training maximum (flagged too: once)
    rows[3] = { ...usual, y: -50 };
    const quality = [
      { unknownCategories: ['color'] },
      { unknownCategories: ['color'] },
      { outsideTrainingRange: ['x'] },
      { outsideTrainingRange: ['y'] },
    ];
    await log(rows, quality);
    // A redacted value is not a category: never counted.
    await log(
      Array.from({ length: 5 }, () => ({ ...usual, color: 'Mars' })),
      [],
      ['color'],
    );

    const res = await monitor.app.inject({ method: 'GET', url: '/v1/drift/shop?window=25' });
    expect(res.statusCode).toBe(200);
    const report = driftReportSchema.parse(res.json());
    expect(report.window.rows).toBe(25);
    const byFeature = new Map(report.dataQuality!.features.map((f) => [f.feature, f]));
    expect(report.dataQuality!.rows).toBe(25);
    expect([...byFeature.keys()]).toEqual(['x', 'y', 'color']);
    expect(byFeature.get('color')).toMatchObject({
      type: 'categorical',
      unknownCategories: 2,
      unknownCategoryRate: 0.08,
      outsideTrainingRange: 0,
      trainingMin: null,
    });
    const profileX = referenceProfile().columns.find((c) => c.name === 'x');
    expect(byFeature.get('x')).toMatchObject({
      type: 'numeric',
      outsideTrainingRange: 1,
      outsideTrainingRangeRate: 0.04,
      unknownCategories: 0,
      trainingMin: profileX?.type === 'numeric' ? profileX.min : NaN,
    });
    expect(byFeature.get('y')).toMatchObject({ outsideTrainingRange: 1 });

    const metrics = (await monitor.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(
      'monitor_data_quality_rate{model="shop",version="1",feature="color",kind="unknown_category"} 0.08',
    );
    expect(metrics).toContain(
      'monitor_data_quality_rate{model="shop",version="1",feature="x",kind="outside_training_range"} 0.04',
    );
  });

  it('reports zero rates for a window of usual rows', async () => {
    await log(Array.from({ length: 10 }, () => ({ x: 11, y: 0.5, color: 'blue', flag: true })));
    const res = await monitor.app.inject({ method: 'GET', url: '/v1/drift/shop?window=10' });
    const report = driftReportSchema.parse(res.json());
    expect(report.dataQuality!.features.every((f) => f.unknownCategories === 0)).toBe(true);
    expect(report.dataQuality!.features.every((f) => f.outsideTrainingRange === 0)).toBe(true);
  });
});
