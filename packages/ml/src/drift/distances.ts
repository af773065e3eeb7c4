const ascending = (a: number, b: number) => a - b;

/** Population standard deviation (numpy `np.std`, ddof = 0). */
export function populationStd(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return Math.sqrt(ss / values.length);
}

/** Wasserstein-1 distance between two empirical distributions: ∫ |F(t) − G(t)| dt. */
export function wassersteinDistance(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) throw new RangeError('wasserstein needs two samples');
  const a = [...x].sort(ascending);
  const b = [...y].sort(ascending);
  const all = [...a, ...b].sort(ascending);
  let i = 0;
  let j = 0;
  let distance = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const t = all[k]!;
    while (i < a.length && a[i]! <= t) i++;
    while (j < b.length && b[j]! <= t) j++;
    distance += Math.abs(i / a.length - j / b.length) * (all[k + 1]! - t);
  }
  return distance;
}

/**
 * Evidently's "normed Wasserstein": W1(reference, live) / max(std(reference), 0.001), so the
 * threshold (default 0.1) reads as "a tenth of a reference standard deviation".
 */
export function normedWasserstein(reference: readonly number[], live: readonly number[]): number {
  const norm = Math.max(populationStd(reference), 0.001);
  return wassersteinDistance(reference, live) / norm;
}

function normalize(p: readonly number[]): number[] {
  const sum = p.reduce((s, v) => s + v, 0);
  return p.map((v) => (sum > 0 ? v / sum : 0));
}

function relEntr(p: number, q: number): number {
  if (p === 0) return 0;
  if (q === 0) return Number.POSITIVE_INFINITY;
  return p * Math.log(p / q);
}

/**
 * Jensen–Shannon *distance* as scipy `spatial.distance.jensenshannon(p, q)` (which Evidently
 * calls): both vectors normalized to sum 1, √((KL(p‖m) + KL(q‖m)) / 2) with m = (p+q)/2 and the
 * NATURAL logarithm by default, so the maximum is √ln 2 ≈ 0.8326. Pass base 2 to get [0, 1].
 */
export function jensenShannonDistance(
  p: readonly number[],
  q: readonly number[],
  base: number = Math.E,
): number {
  if (p.length !== q.length) throw new RangeError('distributions must have the same length');
  const pn = normalize(p);
  const qn = normalize(q);
  let js = 0;
  for (let k = 0; k < pn.length; k++) {
    const m = (pn[k]! + qn[k]!) / 2;
    js += relEntr(pn[k]!, m) + relEntr(qn[k]!, m);
  }
  js /= 2;
  if (base !== Math.E) js /= Math.log(base);
  return Math.sqrt(Math.max(0, js));
}

/**
 * Population stability index (Evidently `psi`): Σ (r − c)·ln(r / c) over bins of proportions.
 * Proportions must be non-zero (see `fillZeroes`).
 */
export function psi(reference: readonly number[], live: readonly number[]): number {
  if (reference.length !== live.length) throw new RangeError('bins must have the same length');
  let total = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = reference[k]!;
    const c = live[k]!;
    total += (r - c) * Math.log(r / c);
  }
  return total;
}

/**
 * Evidently's `get_binned_data(feel_zeroes=True)`: empty bins get 0.0001, or a millionth of
 * the smallest non-empty share when that is itself ≤ 0.0001, so logs and ratios stay finite.
 */
export function fillZeroes(percents: readonly number[]): number[] {
  const nonZero = percents.filter((v) => v > 0);
  if (nonZero.length === 0) return [...percents];
  const min = Math.min(...nonZero);
  const fill = min <= 0.0001 ? min / 1e6 : 0.0001;
  return percents.map((v) => (v === 0 ? fill : v));
}

/**
 * Shares of each sample in `bins` equal-width bins over the combined range (numpy
 * `histogram_bin_edges(concat, bins)` then `histogram`: the last bin is closed).
 */
export function binnedShares(
  reference: readonly number[],
  live: readonly number[],
  bins: number,
): { reference: number[]; live: number[] } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const values of [reference, live]) {
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === hi) {
    // numpy widens a degenerate range to [v − 0.5, v + 0.5]; every value lands in one bin.
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const count = (values: readonly number[]) => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) {
      const k = Math.min(bins - 1, Math.floor((v - lo) / width));
      counts[k] = counts[k]! + 1;
    }
    return counts.map((c) => c / values.length);
  };
  return { reference: count(reference), live: count(live) };
}
