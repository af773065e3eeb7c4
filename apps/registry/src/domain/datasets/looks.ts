import type { ColumnInference } from '@mlops/contracts';

/** Distinct values are counted exactly up to this many (memory), like the profile's categories. */
export const MAX_COUNTED_DISTINCT = 100_000;
/**
 * A categorical with at least this many values, more than this share of them distinct, is an
 * identifier or a name: its values occur fewer than twice each on average, so a one-hot column
 * per value mostly learns single rows (a car's name, 305 values in 398 rows, is one).
 */
export const IDENTIFIER_MIN_VALUES = 50;
export const IDENTIFIER_DISTINCT_SHARE = 0.5;
/** Values this long on average are free text, not categories. */
export const TEXT_MEAN_LENGTH = 50;

/** Distinct values and lengths of a column's non-missing, non-number cells. */
export class TextStats {
  count = 0;
  capped = false;
  private length = 0;
  private readonly seen = new Set<string>();

  add(value: string): void {
    this.count += 1;
    this.length += value.length;
    if (this.capped) return;
    this.seen.add(value);
    if (this.seen.size >= MAX_COUNTED_DISTINCT) {
      this.capped = true;
      this.seen.clear();
    }
  }

  get distinct(): number {
    return this.capped ? MAX_COUNTED_DISTINCT : this.seen.size;
  }

  meanLength(): number {
    return this.count === 0 ? 0 : this.length / this.count;
  }
}

/**
 * Whether a categorical column should be left out of default features: one-hot encoding an
 * identifier or free text gives a column per value, which only memorises rows.
 */
export function featureExclusion(c: {
  distinct: number;
  distinctCapped: boolean;
  /** Non-missing cells that are not numbers. */
  values: number;
  meanLength: number;
}): Pick<ColumnInference, 'kind' | 'excluded'> | undefined {
  if (c.distinctCapped)
    return {
      kind: 'identifier',
      excluded: `${MAX_COUNTED_DISTINCT}+ distinct values: an identifier or free text, not a category`,
    };
  if (c.meanLength >= TEXT_MEAN_LENGTH)
    return {
      kind: 'text',
      excluded: `free text (values ${Math.round(c.meanLength)} characters long on average, ${TEXT_MEAN_LENGTH}+ counts as text)`,
    };
  const share = c.values === 0 ? 0 : c.distinct / c.values;
  if (c.values >= IDENTIFIER_MIN_VALUES && share > IDENTIFIER_DISTINCT_SHARE)
    return {
      kind: 'identifier',
      excluded: `identifier or name: ${c.distinct} distinct values in ${c.values} (${Math.round(share * 100)}%; over ${IDENTIFIER_DISTINCT_SHARE * 100}% means fewer than 2 rows per value, too few to learn a category from)`,
    };
  return undefined;
}
