import { describe, expect, it } from 'vitest';
import { driftPolicySchema, type Column, type DataRow, type Signature } from '@mlops/contracts';
import {
  datetimeFeatureNames,
  encodeFeatures,
  fitPreprocessing,
  PreprocessingBuilder,
} from '../../src/preprocessing';
import { checkRecords } from '../../src/records';
import { computeDrift } from '../../src/drift';
import { profileRows } from '../../src/profile';

const day: Column = { name: 'day', type: 'datetime', nullable: true };
const x: Column = { name: 'x', type: 'numeric', nullable: false };
const y: Column = { name: 'y', type: 'categorical', nullable: false };

/** Two years of daily rows (730 distinct dates): a one-hot would be 730 columns wide. */
const rows: DataRow[] = Array.from({ length: 730 }, (_, i) => ({
  day: new Date(Date.UTC(2014, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
  x: i % 10,
  y: i % 2 ? 'a' : 'b',
}));

describe('datetime features', () => {
  it('expand into year and cyclical month and weekday, never a one-hot, in both fits', () => {
    const prep = fitPreprocessing([day, x], y, 'classification', rows);
    const builder = new PreprocessingBuilder([day, x], y, 'classification');
    for (const row of rows) builder.add(row);
    const streamed = builder.finish();
    for (const p of [prep, streamed]) {
      expect(p.features[0]).toMatchObject({ kind: 'datetime', column: 'day', hour: false });
      expect(p.inputWidth).toBe(6);
    }
    const t = prep.features[0]!;
    if (t.kind !== 'datetime') throw new Error('not a datetime transform');
    expect(t.year.mean).toBeCloseTo(2014.5, 2);
    expect(datetimeFeatureNames(t)).toEqual([
      'day.year',
      'day.month_sin',
      'day.month_cos',
      'day.weekday_sin',
      'day.weekday_cos',
    ]);
    // 2014-01-05 is a Sunday (weekday 0) in January (month 0): sin 0, cos 1 for both cycles.
    const [sunday] = [rows[4]!];
    const v = encodeFeatures(prep, [sunday, { day: null, x: 1 }]);
    expect(v[0]).toBeCloseTo((2014 - t.year.mean) / t.year.std, 5);
    expect([...v.slice(1, 5)].map((n) => Math.round(n * 1000) / 1000)).toEqual([0, 1, 0, 1]);
    // A missing date is zeros: the year at its mean, each cycle at its centre.
    expect([...v.slice(6, 11)]).toEqual([0, 0, 0, 0, 0]);
  });

  it('add the hour when the training values have times', () => {
    const timed = rows.map((r, i) => ({
      ...r,
      day: `${String(r.day)}T${String(i % 24).padStart(2, '0')}:30:00Z`,
    }));
    const prep = fitPreprocessing([day], y, 'classification', timed);
    expect(prep.inputWidth).toBe(7);
    const v = encodeFeatures(prep, [{ day: '2014-03-01T06:00:00Z' }]);
    // 06:00 is a quarter of the day: sin 1, cos 0.
    expect(v[5]).toBeCloseTo(1, 5);
    expect(v[6]).toBeCloseTo(0, 5);
  });

  it('are checked at predict time: a date string passes, anything else is refused', () => {
    const signature = {
      inputs: [day, x],
      output: { task: 'classification', target: 'y', labels: ['a', 'b'] },
    } as Signature;
    expect(
      checkRecords(signature, [
        { day: '2015-06-01', x: 1 },
        { day: null, x: 2 },
      ]).ok,
    ).toBe(true);
    const bad = checkRecords(signature, [
      { day: '01/06/2015', x: 1 },
      { day: 20150601, x: 1 },
    ]);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.details.map((d) => d.path)).toEqual(['instances[0].day', 'instances[1].day']);
    expect(bad.details[0]?.message).toContain('expected an ISO 8601 date');
  });

  it('are left out of drift: live dates are never the training ones', () => {
    const reference = profileRows([day, x], rows);
    expect(reference.columns[0]).toMatchObject({ type: 'datetime', distinct: 730 });
    const live = rows.map((r) => ({ ...r, day: '2020-01-01' }));
    const drift = computeDrift(reference, live, [day, x], driftPolicySchema.parse({ minRows: 10 }));
    expect(drift.columns.map((c) => c.column)).toEqual(['x']);
  });
});
