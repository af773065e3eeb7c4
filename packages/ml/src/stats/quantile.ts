/**
 * The q-quantile (0 ≤ q ≤ 1) of unsorted values, linearly interpolated between the two nearest
 * ranks (numpy's default, R's type 7). The one definition of the platform's quantiles: so the
 * median (q = 0.5) of an even count is the mean of the two middle values, not the lower one as
 * a nearest-rank percentile would give. NaN for no values.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  // A typed array sorts numerically without a comparator, and copying leaves the input alone.
  const sorted = Float64Array.from(values).sort();
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** quantile(values, 0.5): the middle value, or the mean of the two middle ones. */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}
