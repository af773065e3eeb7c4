import type { ColumnInference } from '@mlops/contracts';
import { IDENTIFIER_MIN_VALUES, MAX_COUNTED_DISTINCT } from './looks';

/** `id`, `user_id`, `PassengerId`: names people give to row identifiers. */
function isIdName(name: string): boolean {
  // `Id$` is case-sensitive so that "paid" or "valid" are not identifiers.
  return /^id$/i.test(name) || /_id$/i.test(name) || /Id$/.test(name);
}

/**
 * Whether a numeric column looks like a row identifier (PassengerId 1..n), tracked one value at
 * a time: the previous value, min/max, a strict-monotonic flag each way, and a set of values
 * only while the column could still be an identifier (all integers, no repeat) and at most
 * MAX_COUNTED_DISTINCT of them. A float or a repeat drops the set at once, so a real feature
 * costs a few numbers, not its values.
 */
export class NumericIds {
  private count = 0;
  private integers = true;
  private prev = 0;
  private increasing = true;
  private decreasing = true;
  private min = Infinity;
  private max = -Infinity;
  /** Values seen; null once a repeat, a float or the cap ruled distinctness out of reach. */
  private seen: Set<number> | null = new Set();
  /** A repeat was seen (set-based; strict monotonicity rules repeats out by itself). */
  private repeat = false;

  add(n: number): void {
    if (!this.integers) return;
    if (!Number.isInteger(n)) {
      this.integers = false;
      this.seen = null;
      return;
    }
    if (this.count > 0) {
      if (n <= this.prev) this.increasing = false;
      if (n >= this.prev) this.decreasing = false;
    }
    this.count += 1;
    this.prev = n;
    this.min = Math.min(this.min, n);
    this.max = Math.max(this.max, n);
    if (this.seen) {
      if (this.seen.has(n)) {
        this.repeat = true;
        this.seen = null;
      } else if (this.seen.size >= MAX_COUNTED_DISTINCT) this.seen = null;
      else this.seen.add(n);
    }
  }

  /** `kind: identifier` and why it is excluded, or undefined for a real numeric feature. */
  exclusion(name: string): Pick<ColumnInference, 'kind' | 'excluded'> | undefined {
    if (!this.integers || this.repeat || this.count < IDENTIFIER_MIN_VALUES) return undefined;
    const monotonic = this.increasing || this.decreasing;
    // Strictly monotonic values are distinct; otherwise only the set can say so.
    const distinct = monotonic || this.seen !== null;
    if (!distinct) return undefined;
    const range = `${this.count} distinct integers ${this.min}..${this.max}`;
    const why = ': a row identifier, not a quantity to learn from';
    if (monotonic)
      return {
        kind: 'identifier',
        excluded: `${range}, ${this.increasing ? 'increasing' : 'decreasing'} in row order${why}`,
      };
    if (this.max - this.min + 1 === this.count)
      return { kind: 'identifier', excluded: `${range}, consecutive${why}` };
    if (isIdName(name))
      return { kind: 'identifier', excluded: `${range}, named like an id ("${name}")${why}` };
    return undefined;
  }
}
