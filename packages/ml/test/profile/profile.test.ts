import { describe, expect, it } from 'vitest';
import { datasetProfileSchema, type Column } from '@mlops/contracts';
import { mulberry32, profileRows, ProfileBuilder, EXACT_HISTOGRAM_LIMIT } from '../../src/profile';

const columns: Column[] = [
  { name: 'x', type: 'numeric', nullable: true },
  { name: 'c', type: 'categorical', nullable: true },
  { name: 'b', type: 'boolean', nullable: false },
];

describe('profileRows', () => {
  const rows = [
    { x: 1, c: 'a', b: true },
    { x: 2, c: 'b', b: false },
    { x: null, c: 'a', b: true },
    { x: 4, c: null, b: true },
    { x: 3, c: 'a', b: false },
  ];
  const profile = profileRows(columns, rows);

  it('matches the contract schema', () => {
    expect(datasetProfileSchema.parse(profile)).toEqual(profile);
    expect(profile.rowCount).toBe(5);
  });

  it('computes numeric statistics by hand', () => {
    const x = profile.columns[0]!;
    if (x.type !== 'numeric') throw new Error('x should be numeric');
    // values 1,2,4,3: mean 2.5, population variance (2.25+0.25+2.25+0.25)/4 = 1.25
    expect(x).toMatchObject({ count: 5, missing: 1, min: 1, max: 4, distinct: 4 });
    expect(x.mean).toBeCloseTo(2.5, 12);
    expect(x.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(x.sample).toEqual([1, 2, 4, 3]);
    // 20 bins of width 0.15 over [1,4]: 1→bin 0, 2→bin 6 (1/0.15=6.67), 3→bin 13, 4→last bin.
    expect(x.histogram.edges).toHaveLength(21);
    expect(x.histogram.edges[0]).toBe(1);
    expect(x.histogram.edges[20]).toBe(4);
    const nonZero = x.histogram.counts.flatMap((n, i) => (n ? [[i, n]] : []));
    expect(nonZero).toEqual([
      [0, 1],
      [6, 1],
      [13, 1],
      [19, 1],
    ]);
  });

  it('counts categories and booleans', () => {
    expect(profile.columns[1]).toMatchObject({
      type: 'categorical',
      count: 5,
      missing: 1,
      distinct: 2,
      frequencies: { a: 3, b: 1 },
      otherCount: 0,
    });
    expect(profile.columns[2]).toMatchObject({
      type: 'boolean',
      missing: 0,
      distinct: 2,
      frequencies: { true: 3, false: 2 },
    });
    expect(profile.columns[1]?.sample).toEqual(['a', 'b', 'a', 'a']);
  });

  it('handles an all-missing column and a constant column', () => {
    const p = profileRows(
      [{ name: 'x', type: 'numeric', nullable: true }],
      [{ x: null }, { x: null }],
    );
    expect(p.columns[0]).toMatchObject({
      min: null,
      max: null,
      mean: null,
      std: null,
      distinct: 0,
      histogram: { edges: [], counts: [] },
    });
    const k = profileRows([{ name: 'x', type: 'numeric', nullable: false }], [{ x: 7 }, { x: 7 }], {
      bins: 2,
    });
    expect(k.columns[0]).toMatchObject({
      std: 0,
      histogram: { edges: [6.5, 7, 7.5], counts: [0, 2] },
    });
  });
});

describe('sampling', () => {
  it('is reproducible for a seed and bounded by sampleSize', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ x: i }));
    const cols: Column[] = [{ name: 'x', type: 'numeric', nullable: false }];
    const a = profileRows(cols, rows, { seed: 7, sampleSize: 100 }).columns[0]!;
    const b = profileRows(cols, rows, { seed: 7, sampleSize: 100 }).columns[0]!;
    const c = profileRows(cols, rows, { seed: 8, sampleSize: 100 }).columns[0]!;
    expect(a.sample).toHaveLength(100);
    expect(a.sample).toEqual(b.sample);
    expect(a.sample).not.toEqual(c.sample);
  });

  it('mulberry32 gives values in [0,1)', () => {
    const r = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const v = r();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe('large columns', () => {
  it('keeps exact counts past the exact-histogram limit and stretches outer edges', () => {
    const b = new ProfileBuilder([{ name: 'x', type: 'numeric', nullable: false }], { bins: 4 });
    const n = EXACT_HISTOGRAM_LIMIT + 10;
    for (let i = 0; i < n; i++) b.add({ x: i % 100 });
    b.add({ x: 1000 }); // after bins froze on [0, 99]: lands in the last bin, whose edge stretches
    const x = b.finish().columns[0]!;
    if (x.type !== 'numeric') throw new Error('numeric');
    expect(x.histogram.counts.reduce((s, v) => s + v, 0)).toBe(n + 1);
    expect(x.histogram.edges[0]).toBe(0);
    expect(x.histogram.edges[4]).toBe(1000);
    expect(x.distinct).toBe(101);
    expect(x.max).toBe(1000);
  });
});
