import { describe, expect, it } from 'vitest';
import {
  chiSquaredHomogeneity,
  fillZeroes,
  jensenShannonDistance,
  ks2Samp,
  ksExactPValue,
  normedWasserstein,
  psi,
  twoProportionZTest,
  wassersteinDistance,
} from '../../src/drift/index';
import { normals } from './helpers';

/** Exact KS p-value by brute force: enumerate every labelling of the pooled sample. */
function bruteForceKsP(x: number[], y: number[]): number {
  const pooled = [...x, ...y].sort((a, b) => a - b);
  const m = x.length;
  const n = y.length;
  const dOf = (xs: number[], ys: number[]) => {
    let d = 0;
    for (const t of pooled) {
      const fx = xs.filter((v) => v <= t).length / m;
      const fy = ys.filter((v) => v <= t).length / n;
      d = Math.max(d, Math.abs(fx - fy));
    }
    return d;
  };
  const observed = dOf(x, y);
  let hits = 0;
  let total = 0;
  const total_ = m + n;
  for (let mask = 0; mask < 1 << total_; mask++) {
    let bits = 0;
    for (let k = 0; k < total_; k++) if (mask & (1 << k)) bits++;
    if (bits !== m) continue;
    const xs: number[] = [];
    const ys: number[] = [];
    pooled.forEach((v, k) => (mask & (1 << k) ? xs : ys).push(v));
    total++;
    if (dOf(xs, ys) >= observed - 1e-12) hits++;
  }
  return hits / total;
}

describe('ks2Samp', () => {
  it('matches hand-computed exact p-values (scipy ks_2samp gives the same)', () => {
    // Completely separated samples: only 2 of C(m+n, m) orderings reach D = 1.
    expect(ks2Samp([1, 2, 3], [4, 5, 6])).toMatchObject({ statistic: 1, method: 'exact' });
    expect(ks2Samp([1, 2, 3], [4, 5, 6]).pValue).toBeCloseTo(2 / 20, 12);
    expect(ks2Samp([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).pValue).toBeCloseTo(2 / 252, 12);
    // Perfect interleaving: D = 1/3, which every ordering reaches at its first step.
    expect(ks2Samp([1, 3, 5], [2, 4, 6])).toMatchObject({ statistic: 1 / 3, pValue: 1 });
  });

  it('matches brute-force enumeration on unequal sizes', () => {
    const cases: Array<[number[], number[]]> = [
      [
        [0.1, 0.5, 0.9, 1.3, 2.2],
        [0.4, 1.7, 2.5, 2.9, 3.1, 3.3],
      ],
      [
        [1.1, 2.4, 2.5, 3.0],
        [0.2, 0.3, 1.0, 2.45, 5, 6, 7],
      ],
      [
        [5, 1, 4, 2, 8, 9, 3],
        [6, 7, 10, 11, 0.5],
      ],
    ];
    for (const [x, y] of cases) {
      expect(ks2Samp(x, y).pValue).toBeCloseTo(bruteForceKsP(x, y), 12);
    }
  });

  it('is symmetric and handles ties across samples', () => {
    const x = [1, 2, 2, 3, 3, 3, 4];
    const y = [2, 3, 3, 4, 4, 5];
    expect(ks2Samp(x, y).statistic).toBeCloseTo(ks2Samp(y, x).statistic, 15);
    expect(ks2Samp(x, y).pValue).toBeCloseTo(ks2Samp(y, x).pValue, 12);
    expect(ks2Samp([1, 1, 1], [1, 1])).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('agrees with the asymptotic critical value 1.36·√((m+n)/(mn)) for large samples', () => {
    // At D = 1.3581·√((m+n)/(mn)) the Kolmogorov limit gives α = 0.05; the exact law with
    // m = n = 400 is within a few thousandths of it.
    const m = 400;
    const n = 400;
    const dInt = Math.ceil(1.3581 * Math.sqrt((m + n) / (m * n)) * m * n);
    expect(ksExactPValue(m, n, dInt)).toBeGreaterThan(0.035);
    expect(ksExactPValue(m, n, dInt)).toBeLessThan(0.055);
  });

  it('uses the asymptotic law above 10,000 values and flags a 0.3 std shift', () => {
    const x = normals(10_001, 1);
    const y = normals(300, 2, 0.3);
    const result = ks2Samp(x, y);
    expect(result.method).toBe('asymp');
    expect(result.pValue).toBeLessThan(0.01);
    expect(ks2Samp(normals(10_001, 3), normals(300, 4)).pValue).toBeGreaterThan(0.01);
  });
});

describe('chiSquaredHomogeneity', () => {
  it('matches a hand-computed 2×3 table', () => {
    // Reference [10, 20, 30], live [20, 20, 20]: expected counts [15, 20, 25] in each row,
    // χ² = 2·25/15 + 2·25/25 = 16/3, df = 2, p = e^{−8/3} (2-df closed form).
    const r = chiSquaredHomogeneity([10, 20, 30], [20, 20, 20]);
    expect(r.statistic).toBeCloseTo(16 / 3, 12);
    expect(r.pValue).toBeCloseTo(Math.exp(-8 / 3), 12);
  });
  it('matches the scipy.stats.chi2_contingency documentation example', () => {
    // scipy.stats.chi2_contingency([[10, 10, 20], [20, 20, 20]]) →
    // statistic 2.7777777777777777, pvalue 0.24935220877729619, dof 2 (scipy 1.11 docs).
    const r = chiSquaredHomogeneity([10, 10, 20], [20, 20, 20]);
    expect(r.statistic).toBeCloseTo(2.7777777777777777, 12);
    expect(r.pValue).toBeCloseTo(0.24935220877729619, 12);
  });
  it('drops categories absent from both and stays finite for unseen live categories', () => {
    const r = chiSquaredHomogeneity([50, 50, 0, 0], [25, 25, 0, 50]);
    expect(Number.isFinite(r.statistic)).toBe(true);
    expect(r.pValue).toBeLessThan(1e-10);
    expect(chiSquaredHomogeneity([5], [7]).pValue).toBe(1);
  });
});

describe('twoProportionZTest', () => {
  it('matches the hand-computed pooled z', () => {
    // p1 = 0.5, p2 = 0.7, pooled 0.6: z = −0.2/√(0.24·0.02) = −2.88675, p = 2·Φ(−2.88675) ≈ 0.00389.
    const r = twoProportionZTest(50, 100, 70, 100);
    expect(r.statistic).toBeCloseTo(-2.886751345948129, 12);
    expect(r.pValue).toBeCloseTo(0.0038924171227786, 10);
  });
  it('gives p = 1 when both samples hold one identical value', () => {
    expect(twoProportionZTest(10, 10, 5, 5).pValue).toBe(1);
  });
});

describe('distances', () => {
  it('wasserstein matches the scipy documentation example', () => {
    // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
    expect(wassersteinDistance([1, 2, 3], [1, 2, 3])).toBe(0);
    // Normed by the population std of [0, 1, 3] = √(42/27).
    expect(normedWasserstein([0, 1, 3], [5, 6, 8])).toBeCloseTo(5 / Math.sqrt(42 / 27), 12);
    // A constant reference is normed by 0.001, as Evidently does.
    expect(normedWasserstein([2, 2], [3, 3])).toBeCloseTo(1000, 9);
  });
  it('jensen–shannon matches the scipy documentation examples', () => {
    // scipy.spatial.distance.jensenshannon([1, 0, 0], [0, 1, 0], 2.0) == 1.0
    expect(jensenShannonDistance([1, 0, 0], [0, 1, 0], 2)).toBeCloseTo(1, 14);
    // scipy.spatial.distance.jensenshannon([1.0, 0.0], [0.5, 0.5]) == 0.46450140402245893 (ln)
    expect(jensenShannonDistance([1, 0], [0.5, 0.5])).toBeCloseTo(0.46450140402245893, 14);
    expect(jensenShannonDistance([1, 0, 0], [0, 1, 0])).toBeCloseTo(Math.sqrt(Math.LN2), 14);
    expect(jensenShannonDistance([3, 1], [6, 2])).toBeCloseTo(0, 14);
  });
  it('psi matches a hand computation', () => {
    // (0.5−0.25)·ln(2) + (0.5−0.75)·ln(2/3) = 0.25·ln 2 + 0.25·ln 1.5
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(3), 14);
  });
  it('fillZeroes follows Evidently', () => {
    expect(fillZeroes([0, 0.5, 0.5])).toEqual([0.0001, 0.5, 0.5]);
    expect(fillZeroes([0, 0.00005, 0.99995])).toEqual([0.00005 / 1e6, 0.00005, 0.99995]);
  });
});
