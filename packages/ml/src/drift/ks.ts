import { kolmogorovSf } from './special';

export interface KsResult {
  statistic: number;
  pValue: number;
  /** How the p-value was obtained (scipy `ks_2samp` method names). */
  method: 'exact' | 'asymp';
}

/** scipy's `ks_2samp(method='auto')` switches to the asymptotic law above this sample size. */
export const KS_EXACT_MAX_N = 10_000;

const ascending = (a: number, b: number) => a - b;

/**
 * Two-sample two-sided Kolmogorov–Smirnov test, following scipy `ks_2samp(method='auto')`:
 * the exact p-value when both samples have at most 10,000 values, else the asymptotic one.
 *
 * - exact: the probability, over all C(m+n, m) equally likely interleavings of the two
 *   samples, that the path of the ECDF difference reaches D. Computed by dynamic programming
 *   over the lattice with transition probabilities (remaining x / remaining total), so every
 *   number stays in [0, 1] and nothing overflows; O(m·n) time, O(n) memory.
 * - asymp: the Kolmogorov limit law at λ = (√en + 0.12 + 0.11/√en)·D with the effective size
 *   en = m·n/(m+n) (Stephens' correction, as in Numerical Recipes `kstwo`). scipy instead uses
 *   the exact one-sample law `kstwo.sf(D, round(en))`; the two agree to ~1e-3 for en ≥ 30.
 *
 * Like scipy, ties are not corrected for. Inputs must be finite numbers; both non-empty.
 */
export function ks2Samp(x: readonly number[], y: readonly number[]): KsResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('ks2Samp needs two non-empty samples');
  const a = [...x].sort(ascending);
  const b = [...y].sort(ascending);
  // D in integer units of 1/(m·n): |i·n − j·m| at every step of the merge, after whole tie groups.
  let i = 0;
  let j = 0;
  let dInt = 0;
  while (i < m && j < n) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < m && a[i] === v) i++;
    while (j < n && b[j] === v) j++;
    dInt = Math.max(dInt, Math.abs(i * n - j * m));
  }
  const statistic = dInt / (m * n);
  if (Math.max(m, n) <= KS_EXACT_MAX_N) {
    return { statistic, pValue: ksExactPValue(m, n, dInt), method: 'exact' };
  }
  const en = (m * n) / (m + n);
  const sqrtEn = Math.sqrt(en);
  const pValue = kolmogorovSf((sqrtEn + 0.12 + 0.11 / sqrtEn) * statistic);
  return { statistic, pValue, method: 'asymp' };
}

/**
 * P(max |F_m − G_n| ≥ dInt/(m·n)) under H0: one minus the probability that a uniformly random
 * lattice path from (0,0) to (m,n) keeps |i·n − j·m| < dInt at every point.
 */
export function ksExactPValue(m: number, n: number, dInt: number): number {
  if (dInt <= 0) return 1;
  // inside[j] = P(path reaches (i, j) while staying strictly inside the band).
  const inside = new Float64Array(n + 1);
  inside[0] = 1;
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      if (i === 0 && j === 0) continue;
      let p = 0;
      // From (i-1, j) by taking an x: probability (m-i+1)/(m+n-i-j+1).
      if (i > 0) p += inside[j]! * ((m - i + 1) / (m + n - i - j + 1));
      // From (i, j-1) by taking a y: probability (n-j+1)/(m+n-i-j+1).
      if (j > 0) p += inside[j - 1]! * ((n - j + 1) / (m + n - i - j + 1));
      inside[j] = Math.abs(i * n - j * m) < dInt ? p : 0;
    }
  }
  return Math.min(1, Math.max(0, 1 - inside[n]!));
}
