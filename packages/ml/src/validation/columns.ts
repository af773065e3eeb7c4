import type { Anomaly, CategoricalProfile, ColumnProfile, NumericProfile } from '@mlops/contracts';
import { chiSquaredHomogeneity, jensenShannonDistance } from '../drift';
import { VALIDATION_THRESHOLDS as T } from './thresholds';

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function missingShare(p: ColumnProfile): number {
  return p.count > 0 ? p.missing / p.count : 0;
}

/** missing_rate_jump: the share of missing cells rose by `missingRateIncrease` or more. */
export function missingRateJump(prev: ColumnProfile, cur: ColumnProfile): Anomaly | null {
  const before = missingShare(prev);
  const now = missingShare(cur);
  if (now - before < T.missingRateIncrease) return null;
  return {
    kind: 'missing_rate_jump',
    severity: 'warning',
    column: cur.name,
    message: `missing cells rose from ${pct(before)} to ${pct(now)} (threshold: +${pct(T.missingRateIncrease)})`,
    observed: now,
    expected: before,
  };
}

/**
 * out_of_range: the share of the current sample outside the previous [min, max]. The sample is
 * the profile's reservoir (every value of a column up to its size), so small versions are exact.
 */
export function outOfRange(prev: NumericProfile, cur: NumericProfile): Anomaly | null {
  if (prev.min === null || prev.max === null || cur.sample.length === 0) return null;
  const lo = prev.min;
  const hi = prev.max;
  const outside = cur.sample.filter((v) => v < lo || v > hi).length;
  const share = outside / cur.sample.length;
  if (share < T.outOfRangeShare) return null;
  return {
    kind: 'out_of_range',
    severity: 'warning',
    column: cur.name,
    message: `${pct(share)} of sampled values lie outside the previous version's range [${lo}, ${hi}] (now [${cur.min ?? '?'}, ${cur.max ?? '?'}]; threshold: ${pct(T.outOfRangeShare)})`,
    observed: share,
    expected: T.outOfRangeShare,
  };
}

/** new_category: values the previous version never had (only when it counted every category). */
export function newCategories(prev: CategoricalProfile, cur: CategoricalProfile): Anomaly | null {
  // Past the profile's top categories the previous version's full set is unknown.
  if (prev.otherCount > 0) return null;
  const fresh = Object.keys(cur.frequencies).filter((k) => !(k in prev.frequencies));
  if (fresh.length === 0) return null;
  fresh.sort();
  const rows = fresh.reduce((s, k) => s + (cur.frequencies[k] ?? 0), 0);
  return {
    kind: 'new_category',
    severity: 'warning',
    column: cur.name,
    message: `${fresh.length} categor${fresh.length === 1 ? 'y' : 'ies'} the previous version did not have (${rows} rows): ${fresh
      .slice(0, 5)
      .map((k) => JSON.stringify(k))
      .join(', ')}${fresh.length > 5 ? ', …' : ''}`,
    observed: fresh.length,
    expected: 0,
    values: fresh.slice(0, T.listedValues),
  };
}

/**
 * distribution_shift of a categorical / boolean column: chi-squared homogeneity on the two
 * versions' counts (p < shiftPValue) and a Jensen–Shannon distance ≥ shiftDistance.
 */
export function distributionShift(
  prev: CategoricalProfile,
  cur: CategoricalProfile,
  label: boolean,
): Anomaly | null {
  const keys = [...new Set([...Object.keys(prev.frequencies), ...Object.keys(cur.frequencies)])];
  const before = [...keys.map((k) => prev.frequencies[k] ?? 0), prev.otherCount];
  const now = [...keys.map((k) => cur.frequencies[k] ?? 0), cur.otherCount];
  const test = chiSquaredHomogeneity(before, now);
  if (test.pValue >= T.shiftPValue) return null;
  const distance = jensenShannonDistance(before, now, 2);
  if (distance < T.shiftDistance) return null;
  return {
    kind: 'distribution_shift',
    severity: 'warning',
    column: cur.name,
    message: `${label ? 'label ' : ''}distribution shifted: Jensen–Shannon distance ${distance.toFixed(3)} (threshold ${T.shiftDistance}), chi-squared p ${test.pValue.toExponential(2)} (threshold ${T.shiftPValue}); top now ${topShares(cur)}, before ${topShares(prev)}`,
    observed: distance,
    expected: T.shiftDistance,
  };
}

function topShares(p: CategoricalProfile): string {
  const total = p.count - p.missing;
  return Object.entries(p.frequencies)
    .slice(0, 3)
    .map(([k, n]) => `${k} ${total > 0 ? pct(n / total) : '0%'}`)
    .join(', ');
}
