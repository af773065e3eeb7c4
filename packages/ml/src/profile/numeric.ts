import type { Histogram, NumericProfile } from '@mlops/contracts';
import { Reservoir } from './prng';

/** Keep raw values for an exact histogram up to this many per column (then see `freezeBins`). */
export const EXACT_HISTOGRAM_LIMIT = 100_000;
/** Distinct values are counted exactly up to this cap, then counting stops (distinct = cap). */
export const DISTINCT_CAP = 10_000;

/**
 * Streaming statistics of one numeric column.
 *
 * Histogram choice: the edges should span the exact min/max, which are only known at the end.
 * Up to EXACT_HISTOGRAM_LIMIT values we keep them all and bin at `finish` (exact). Past that we
 * freeze bins on the min/max seen so far and count the rest into them, clamping values outside
 * into the first/last bin, whose outer edges `finish` stretches to the final min/max. Counts
 * always sum to the number of non-missing values; only the outer bins may be wider than the rest.
 */
export class NumericAccumulator {
  private count = 0;
  private missing = 0;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private distinct: Set<number> | null = new Set();
  private values: number[] | null = [];
  private frozen: Histogram | null = null;
  private readonly reservoir: Reservoir<number>;

  constructor(
    private readonly name: string,
    private readonly bins: number,
    sampleSize: number,
    random: () => number,
  ) {
    this.reservoir = new Reservoir(sampleSize, random);
  }

  add(value: unknown): void {
    this.count += 1;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.missing += 1;
      return;
    }
    // Welford's online mean/variance: numerically stable in one pass.
    this.n += 1;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.distinct) {
      this.distinct.add(value);
      if (this.distinct.size >= DISTINCT_CAP) this.distinct = null;
    }
    this.reservoir.add(value);
    if (this.values) {
      this.values.push(value);
      if (this.values.length > EXACT_HISTOGRAM_LIMIT) this.freezeBins();
    } else if (this.frozen) {
      countInto(this.frozen, value);
    }
  }

  private freezeBins(): void {
    const values = this.values ?? [];
    this.frozen = emptyHistogram(this.min, this.max, this.bins);
    for (const v of values) countInto(this.frozen, v);
    this.values = null;
  }

  finish(): NumericProfile {
    const empty = this.n === 0;
    let histogram: Histogram = { edges: [], counts: [] };
    if (!empty && this.values) {
      histogram = emptyHistogram(this.min, this.max, this.bins);
      for (const v of this.values) countInto(histogram, v);
    } else if (!empty && this.frozen) {
      histogram = { edges: [...this.frozen.edges], counts: [...this.frozen.counts] };
      histogram.edges[0] = Math.min(histogram.edges[0] ?? this.min, this.min);
      const last = histogram.edges.length - 1;
      histogram.edges[last] = Math.max(histogram.edges[last] ?? this.max, this.max);
    }
    return {
      name: this.name,
      type: 'numeric',
      count: this.count,
      missing: this.missing,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      mean: empty ? null : this.mean,
      // Population standard deviation (divide by n): what standardisation of this data uses.
      std: empty ? null : Math.sqrt(this.m2 / this.n),
      distinct: this.distinct ? this.distinct.size : DISTINCT_CAP,
      histogram,
      sample: [...this.reservoir.items],
    };
  }
}

/** `bins` equal-width bins over [min, max]; a constant column gets [v-0.5, v+0.5]. */
export function emptyHistogram(min: number, max: number, bins: number): Histogram {
  const lo = min === max ? min - 0.5 : min;
  const hi = min === max ? max + 0.5 : max;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  return { edges, counts: new Array<number>(bins).fill(0) };
}

/** Bins are [e_i, e_i+1) except the last, which includes its upper edge; outside values clamp. */
export function countInto(h: Histogram, value: number): void {
  const bins = h.counts.length;
  const lo = h.edges[0] ?? 0;
  const hi = h.edges[bins] ?? 0;
  let i = Math.floor(((value - lo) / (hi - lo)) * bins);
  if (i < 0) i = 0;
  if (i >= bins) i = bins - 1;
  h.counts[i] = (h.counts[i] ?? 0) + 1;
}
