import { describe, expect, it } from 'vitest';
import { driftPolicySchema } from '@mlops/contracts';
import type { Column, DataRow } from '@mlops/contracts';
import { computeDrift } from '../../src/drift/index';
import { categoricalProfile, categories, normals, numericProfile, profile, rng } from './helpers';

const policy = driftPolicySchema.parse({});
const columns: Column[] = [
  { name: 'x', type: 'numeric', nullable: true },
  { name: 'y', type: 'numeric', nullable: false },
  { name: 'color', type: 'categorical', nullable: false, categories: ['blue', 'green', 'red'] },
  { name: 'flag', type: 'boolean', nullable: false },
  { name: 'level', type: 'numeric', nullable: false },
];
const colorProbs = { red: 0.5, green: 0.3, blue: 0.2 };

function reference(n: number) {
  const u = rng(99);
  return profile(n, [
    numericProfile('x', normals(Math.min(n, 1000), 10, 5, 2)),
    numericProfile('y', normals(Math.min(n, 1000), 11)),
    categoricalProfile('color', categories(n, 12, colorProbs)),
    categoricalProfile(
      'flag',
      Array.from({ length: n }, () => String(u() < 0.3)),
      'boolean',
    ),
    numericProfile(
      'level',
      Array.from({ length: Math.min(n, 1000) }, () => Math.floor(u() * 4)),
    ),
  ]);
}

function liveRows(n: number, seed: number, shift = 0, colors = colorProbs, pTrue = 0.3): DataRow[] {
  const xs = normals(n, seed, 5 + shift * 2, 2);
  const ys = normals(n, seed + 1, shift);
  const cs = categories(n, seed + 2, colors);
  const u = rng(seed + 3);
  return xs.map((x, i) => ({
    x,
    y: ys[i]!,
    color: cs[i]!,
    flag: u() < pTrue,
    level: Math.floor(u() * 4),
  }));
}

describe('computeDrift with a small reference (p-value tests)', () => {
  const ref = reference(800);

  it('picks Evidently’s default tests and finds no drift in same-distribution data', () => {
    const report = computeDrift(ref, liveRows(300, 1000), columns, policy);
    expect(report.insufficientData).toBe(false);
    expect(report.referenceRows).toBe(800);
    const methods = Object.fromEntries(report.columns.map((c) => [c.column, c.method]));
    expect(methods).toEqual({ x: 'ks', y: 'ks', color: 'chi2', flag: 'z', level: 'chi2' });
    for (const c of report.columns) expect(c.threshold).toBe(0.05);
    expect(report.datasetDrift).toBe(false);
    expect(report.driftShare).toBeLessThan(0.5);
  });

  it('names the shifted numeric columns and the changed categorical ones', () => {
    const shifted = liveRows(300, 2000, 3, { red: 0.1, green: 0.3, blue: 0.6 }, 0.7);
    const report = computeDrift(ref, shifted, columns, policy);
    expect(report.driftedColumns).toEqual(expect.arrayContaining(['x', 'y', 'color', 'flag']));
    expect(report.driftedColumns).not.toContain('level');
    expect(report.driftShare).toBeCloseTo(0.8, 12);
    expect(report.datasetDrift).toBe(true);
  });

  it('reports insufficient data below minRows', () => {
    const report = computeDrift(ref, liveRows(19, 3000), columns, policy);
    expect(report).toMatchObject({ insufficientData: true, columns: [], datasetDrift: false });
  });

  it('skips missing live values and columns the profile lacks', () => {
    const rows: DataRow[] = liveRows(100, 4000).map((r, i) => ({
      ...r,
      x: i % 2 === 0 ? null : (r.x ?? null),
    }));
    const extra: Column[] = [...columns, { name: 'absent', type: 'numeric', nullable: true }];
    const report = computeDrift(ref, rows, extra, policy);
    expect(report.columns.map((c) => c.column)).not.toContain('absent');
    expect(report.columns.find((c) => c.column === 'x')?.method).toBe('ks');
    const allMissing: DataRow[] = rows.map((r) => ({ ...r, x: null }));
    expect(
      computeDrift(ref, allMissing, columns, policy).columns.map((c) => c.column),
    ).not.toContain('x');
  });

  it('uses the z-test for numeric columns with two values', () => {
    const ref2 = profile(500, [
      numericProfile(
        'b',
        Array.from({ length: 500 }, (_, i) => i % 2),
      ),
    ]);
    const cols: Column[] = [{ name: 'b', type: 'numeric', nullable: false }];
    const same = computeDrift(
      ref2,
      Array.from({ length: 100 }, (_, i) => ({ b: i % 2 })),
      cols,
      policy,
    );
    expect(same.columns[0]).toMatchObject({ method: 'z', drifted: false, score: 1 });
    const ones = computeDrift(
      ref2,
      Array.from({ length: 100 }, () => ({ b: 1 })),
      cols,
      policy,
    );
    expect(ones.columns[0]).toMatchObject({ method: 'z', drifted: true });
  });
});

describe('computeDrift with a large reference (distances)', () => {
  const ref = reference(5000);

  it('uses normed Wasserstein and Jensen–Shannon against distanceThreshold', () => {
    const report = computeDrift(ref, liveRows(500, 5000), columns, policy);
    const methods = Object.fromEntries(report.columns.map((c) => [c.column, c.method]));
    expect(methods).toEqual({
      x: 'wasserstein',
      y: 'wasserstein',
      color: 'jensen_shannon',
      flag: 'jensen_shannon',
      level: 'jensen_shannon',
    });
    for (const c of report.columns) expect(c.threshold).toBe(0.1);
    expect(report.datasetDrift).toBe(false);
  });

  it('flags a 3-std shift on two numeric columns', () => {
    const rows = liveRows(500, 6000, 3);
    const report = computeDrift(ref, rows, columns, policy);
    expect(report.driftedColumns).toEqual(['x', 'y']);
    const x = report.columns.find((c) => c.column === 'x')!;
    // W1 of a pure location shift is the shift itself: 3 std → normed distance ≈ 3.
    expect(x.score).toBeGreaterThan(2.5);
    expect(x.score).toBeLessThan(3.5);
    expect(report.datasetDrift).toBe(false); // 2 of 5 < 0.5
    expect(computeDrift(ref, rows, columns, { ...policy, driftShare: 0.4 }).datasetDrift).toBe(
      true,
    );
  });

  it('can use PSI instead', () => {
    const report = computeDrift(ref, liveRows(500, 7000, 3), columns, policy, {
      methods: { numeric: 'psi', categorical: 'psi' },
    });
    expect(report.columns.every((c) => c.method === 'psi')).toBe(true);
    expect(report.driftedColumns).toEqual(['x', 'y']);
  });
});

describe('computeDrift with lumped rare categories', () => {
  it('compares live categories outside the profile’s top list as one “other” bucket', () => {
    const ref = profile(120, [
      {
        ...categoricalProfile('c', [
          ...Array<string>(50).fill('a'),
          ...Array<string>(50).fill('b'),
        ]),
        count: 120,
        otherCount: 20,
      },
    ]);
    const cols: Column[] = [{ name: 'c', type: 'categorical', nullable: false }];
    const live = [
      ...Array.from({ length: 25 }, () => ({ c: 'a' })),
      ...Array.from({ length: 25 }, () => ({ c: 'b' })),
      ...Array.from({ length: 5 }, (_, i) => ({ c: `rare${i}` })),
      ...Array.from({ length: 5 }, () => ({ c: 'rare0' })),
    ];
    const report = computeDrift(ref, live, cols, policy);
    // 3 buckets (a, b, other): reference [50, 50, 20], live [25, 25, 10] — identical shares.
    expect(report.columns[0]).toMatchObject({ method: 'chi2', drifted: false });
    expect(report.columns[0]!.score).toBeCloseTo(1, 12);
  });
});
