import { describe, expect, it } from 'vitest';
import { mmdTest, shareOfDriftedComponents } from '../../src/drift/index';
import { normals } from './helpers';

/** n vectors of `dims` components, each N(mean, std), from one seed. */
function vectors(n: number, dims: number, seed: number, mean = 0, std = 1): number[][] {
  const flat = normals(n * dims, seed, mean, std);
  return Array.from({ length: n }, (_, i) => flat.slice(i * dims, (i + 1) * dims));
}

describe('MMD with an RBF kernel (median heuristic) and a permutation p-value', () => {
  it('does not flag two samples of one distribution (the p-value is calibrated)', () => {
    const pValues = Array.from({ length: 20 }, (_, t) => {
      const r = mmdTest(vectors(100, 16, 2 * t + 1), vectors(80, 16, 2 * t + 2), {
        seed: t,
        permutations: 100,
      });
      // The unbiased statistic hovers around 0 when nothing changed.
      expect(Math.abs(r.statistic)).toBeLessThan(0.02);
      return r.pValue;
    });
    // Under the null hypothesis p is uniform: about 1 in 20 below 0.05, rarely 4.
    expect(pValues.filter((p) => p < 0.05).length).toBeLessThanOrEqual(3);
    expect(pValues.filter((p) => p > 0.5).length).toBeGreaterThanOrEqual(5);
  });

  it('flags a shift of every component by half a standard deviation', () => {
    const r = mmdTest(vectors(200, 16, 1), vectors(150, 16, 2, 0.5), { seed: 3 });
    // No permutation reaches the observed statistic: the smallest p-value 200 permutations give.
    expect(r.pValue).toBe(1 / 201);
    expect(r.statistic).toBeGreaterThan(0.05);
  });

  it('flags a change of spread alone, which a mean test would miss', () => {
    const r = mmdTest(vectors(200, 8, 1), vectors(200, 8, 2, 0, 2), { seed: 3 });
    expect(r.pValue).toBeLessThan(0.01);
  });

  it('gives the same answer for the same seed and samples', () => {
    const x = vectors(400, 8, 5);
    const y = vectors(400, 8, 6, 0.1);
    const a = mmdTest(x, y, { seed: 11, permutations: 100 });
    const b = mmdTest(x, y, { seed: 11, permutations: 100 });
    expect(b).toEqual(a);
    // Past maxRows (300) the samples are subsampled by the seed too: another seed, another draw.
    const c = mmdTest(x, y, { seed: 12, permutations: 100 });
    expect(c.statistic).not.toBe(a.statistic);
  });

  it('uses the median pairwise squared distance over two as σ²', () => {
    // Pooled rows 0, 1, 3, 6 on a line: squared distances 1, 9, 36, 4, 25, 9 → median 9.
    const r = mmdTest([[0], [1]], [[3], [6]], { permutations: 20 });
    expect(r.bandwidth).toBe(4.5);
  });

  it('refuses samples too small to estimate within-sample similarity', () => {
    expect(() => mmdTest([[1]], [[1], [2]])).toThrow(RangeError);
  });
});

describe('share of drifted components', () => {
  it('counts the components whose KS test drifts', () => {
    const x = vectors(300, 10, 1);
    const shifted = vectors(300, 10, 2).map((row) => row.map((v, k) => (k < 4 ? v + 1 : v)));
    const r = shareOfDriftedComponents(x, shifted, 0.05);
    expect(r.components).toBe(10);
    expect(r.drifted).toBeGreaterThanOrEqual(4);
    expect(r.drifted).toBeLessThanOrEqual(5);
    expect(r.share).toBe(r.drifted / 10);
  });

  it('finds next to nothing between samples of one distribution', () => {
    const r = shareOfDriftedComponents(vectors(300, 10, 1), vectors(300, 10, 2), 0.05);
    expect(r.share).toBeLessThanOrEqual(0.1);
  });
});
