import type { CategoricalProfile } from '@mlops/contracts';
import { Reservoir } from './prng';
import { DISTINCT_CAP } from './numeric';

/** Frequencies reported per column; the rest is summed into `otherCount`. */
export const TOP_FREQUENCIES = 1_000;
/** Bound on the categories counted exactly (memory); later new categories only add to "other". */
const MAX_TRACKED = 100_000;

/**
 * Streaming statistics of one categorical, boolean (as "true"/"false") or datetime column (its
 * ISO strings: the most frequent dates and a sample, what a person looks at).
 */
export class CategoricalAccumulator {
  private count = 0;
  private missing = 0;
  private untracked = 0;
  /** Count of each category, in a box: a repeat (most cells) is one lookup, not a get and a set. */
  private readonly counts = new Map<string, { n: number }>();
  private readonly reservoir: Reservoir<string>;

  constructor(
    private readonly name: string,
    private readonly type: 'categorical' | 'boolean' | 'datetime',
    sampleSize: number,
    random: () => number,
  ) {
    this.reservoir = new Reservoir(sampleSize, random);
  }

  add(value: unknown): void {
    this.count += 1;
    if (value === null || value === undefined || value === '') {
      this.missing += 1;
      return;
    }
    const key =
      typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);
    const seen = this.counts.get(key);
    if (seen !== undefined) seen.n += 1;
    else if (this.counts.size < MAX_TRACKED) this.counts.set(key, { n: 1 });
    else this.untracked += 1;
    this.reservoir.add(key);
  }

  finish(): CategoricalProfile {
    // Most frequent first; ties broken by the category itself so the output is deterministic.
    const sorted = [...this.counts]
      .map(([key, c]): [string, number] => [key, c.n])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const frequencies: Record<string, number> = {};
    let otherCount = this.untracked;
    sorted.forEach(([key, n], i) => {
      if (i < TOP_FREQUENCIES) frequencies[key] = n;
      else otherCount += n;
    });
    return {
      name: this.name,
      type: this.type,
      count: this.count,
      missing: this.missing,
      distinct: Math.min(this.counts.size, DISTINCT_CAP),
      frequencies,
      otherCount,
      sample: [...this.reservoir.items],
    };
  }
}
