import { chiSquaredSf, erfc } from './special';

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * Pearson chi-squared test of homogeneity on a 2×k table: reference counts vs live counts of
 * the same k categories. df = k' − 1 where k' counts the categories seen in either sample.
 * (Evidently's `chisquare` instead tests live counts against reference proportions scaled to
 * the live size, df = k − 1; the two agree when the reference is much larger than the window,
 * but homogeneity stays finite when a category is absent from the reference.)
 */
export function chiSquaredHomogeneity(
  reference: readonly number[],
  live: readonly number[],
): TestResult {
  if (reference.length !== live.length) {
    throw new RangeError('reference and live counts must list the same categories');
  }
  const cols: Array<[number, number]> = [];
  for (let k = 0; k < reference.length; k++) {
    const r = reference[k]!;
    const l = live[k]!;
    if (r + l > 0) cols.push([r, l]);
  }
  const nRef = cols.reduce((s, [r]) => s + r, 0);
  const nLive = cols.reduce((s, [, l]) => s + l, 0);
  const total = nRef + nLive;
  if (cols.length < 2 || nRef === 0 || nLive === 0) return { statistic: 0, pValue: 1 };
  let statistic = 0;
  for (const [r, l] of cols) {
    const colTotal = r + l;
    const eRef = (colTotal * nRef) / total;
    const eLive = (colTotal * nLive) / total;
    statistic += (r - eRef) ** 2 / eRef + (l - eLive) ** 2 / eLive;
  }
  return { statistic, pValue: chiSquaredSf(statistic, cols.length - 1) };
}

/**
 * Two-proportion z-test with the pooled proportion (Evidently `z_stat_test`):
 * z = (p1 − p2) / √(P(1−P)(1/n1 + 1/n2)), two-sided p = erfc(|z|/√2).
 * When both samples hold a single identical value the pooled variance is 0: p = 1.
 */
export function twoProportionZTest(
  successRef: number,
  nRef: number,
  successLive: number,
  nLive: number,
): TestResult {
  if (nRef <= 0 || nLive <= 0) return { statistic: 0, pValue: 1 };
  const p1 = successRef / nRef;
  const p2 = successLive / nLive;
  const pooled = (successRef + successLive) / (nRef + nLive);
  const variance = pooled * (1 - pooled) * (1 / nRef + 1 / nLive);
  if (variance <= 0) return { statistic: 0, pValue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: erfc(Math.abs(statistic) / Math.SQRT2) };
}
