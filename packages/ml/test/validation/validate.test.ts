import { describe, expect, it } from 'vitest';
import { anomalySchema, canonicalRowLine, type Column, type DataRow } from '@mlops/contracts';
import { profileRows } from '../../src/profile';
import {
  DuplicateCounter,
  VALIDATION_THRESHOLDS,
  validateDataset,
  type VersionState,
} from '../../src/validation';

/** A version as ingest builds it: schema, profile, and its duplicate count. */
function version(columns: Column[], rows: DataRow[]): VersionState {
  const dup = new DuplicateCounter();
  for (const r of rows) dup.add(canonicalRowLine(columns, r));
  return {
    schema: { columns },
    profile: { ...profileRows(columns, rows), duplicateRows: dup.count },
  };
}

const cols: Column[] = [
  { name: 'size', type: 'numeric', nullable: true },
  { name: 'colour', type: 'categorical', nullable: true },
  { name: 'kind', type: 'categorical', nullable: false },
];

/** 200 distinct rows: sizes 0..199, colours red/blue, kinds 50/50 a/b. */
type Row = DataRow & { size: number; colour: string; kind: string };
function baseRows(): Row[] {
  return Array.from({ length: 200 }, (_, i) => ({
    size: i,
    colour: i % 3 === 0 ? 'red' : 'blue',
    kind: i % 2 === 0 ? 'a' : 'b',
  }));
}

describe('validateDataset', () => {
  const prev = version(cols, baseRows());

  it('finds nothing when the next version looks like the previous one', () => {
    const next = version(
      cols,
      baseRows().map((r) => ({ ...r, size: r.size * 0.99 })),
    );
    expect(validateDataset(next, prev)).toEqual([]);
  });

  it('flags a dropped column as an error, a new one and a new category as warnings', () => {
    const nextCols: Column[] = [
      cols[1]!,
      cols[2]!,
      { name: 'weight', type: 'numeric', nullable: false },
    ];
    const rows = baseRows().map((r, i) => ({
      colour: i < 10 ? 'green' : r.colour,
      kind: r.kind,
      weight: i,
    }));
    const anomalies = validateDataset(version(nextCols, rows), prev);
    for (const a of anomalies) anomalySchema.parse(a);
    expect(anomalies[0]).toMatchObject({
      kind: 'column_missing',
      severity: 'error',
      column: 'size',
    });
    expect(anomalies).toContainEqual(
      expect.objectContaining({ kind: 'column_added', severity: 'warning', column: 'weight' }),
    );
    expect(anomalies).toContainEqual(
      expect.objectContaining({ kind: 'new_category', column: 'colour', values: ['green'] }),
    );
  });

  it('flags a changed type', () => {
    const nextCols: Column[] = [
      { name: 'size', type: 'categorical', nullable: true },
      cols[1]!,
      cols[2]!,
    ];
    const rows = baseRows().map((r) => ({ ...r, size: String(r.size) }));
    expect(validateDataset(version(nextCols, rows), prev)).toContainEqual(
      expect.objectContaining({ kind: 'type_changed', severity: 'error', column: 'size' }),
    );
  });

  it('flags a label shift past both thresholds, not a small wobble', () => {
    // 90% "a" instead of 50%: JS distance ≈ 0.33, p ≈ 1e-20.
    const shifted = baseRows().map((r, i) => ({ ...r, kind: i % 10 === 0 ? 'b' : 'a' }));
    const anomalies = validateDataset(version(cols, shifted), prev);
    const shift = anomalies.find((a) => a.kind === 'distribution_shift');
    expect(shift).toMatchObject({ column: 'kind', severity: 'warning' });
    expect(shift!.observed).toBeGreaterThan(VALIDATION_THRESHOLDS.shiftDistance);
    // 55% "a": significant on neither count.
    const wobble = baseRows().map((r, i) => ({ ...r, kind: i % 20 < 11 ? 'a' : 'b' }));
    expect(validateDataset(version(cols, wobble), prev)).toEqual([]);
  });

  it('tests only the declared target for a shift when there is one', () => {
    const shifted = baseRows().map((r, i) => ({ ...r, colour: i % 10 === 0 ? 'blue' : 'red' }));
    const next = version(cols, shifted);
    expect(validateDataset(next, prev).map((a) => a.column)).toEqual(['colour']);
    expect(validateDataset(next, prev, { target: 'kind' })).toEqual([]);
  });

  it('flags missing-rate jumps and out-of-range values at their thresholds', () => {
    const rows = baseRows().map((r, i) => ({
      ...r,
      colour: i < 20 ? null : r.colour, // 10% missing, was 0%
      size: i < 4 ? 1000 + i : r.size, // 2% outside [0, 199]
    }));
    const anomalies = validateDataset(version(cols, rows), prev);
    expect(anomalies).toContainEqual(
      expect.objectContaining({
        kind: 'missing_rate_jump',
        column: 'colour',
        observed: 0.1,
        expected: 0,
      }),
    );
    expect(anomalies).toContainEqual(
      expect.objectContaining({ kind: 'out_of_range', column: 'size', observed: 0.02 }),
    );
    // 1 of 200 (0.5%) outside and 2% missing: under both thresholds.
    const few = baseRows().map((r, i) => ({
      ...r,
      colour: i < 4 ? null : r.colour,
      size: i === 0 ? 1000 : r.size,
    }));
    expect(validateDataset(version(cols, few), prev)).toEqual([]);
  });

  it('counts duplicate rows, on a first version too', () => {
    const rows = baseRows();
    const dupes = [...rows, ...rows.slice(0, 20)]; // 20 of 220 = 9.1%
    const first = version(cols, dupes);
    expect(first.profile.duplicateRows).toBe(20);
    expect(validateDataset(first, null)).toEqual([
      expect.objectContaining({ kind: 'duplicate_rows', column: null, observed: 20 / 220 }),
    ]);
    // The same share as the previous version is not news.
    expect(validateDataset(first, first)).toEqual([]);
    expect(validateDataset(version(cols, rows), null)).toEqual([]);
  });
});
