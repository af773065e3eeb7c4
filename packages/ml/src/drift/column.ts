import type { CellValue, ColumnProfile, DriftMethod } from '@mlops/contracts';
import { ks2Samp } from './ks';
import { chiSquaredHomogeneity, twoProportionZTest } from './tests';
import {
  binnedShares,
  fillZeroes,
  jensenShannonDistance,
  normedWasserstein,
  psi,
} from './distances';

/** Live categories the reference lumped under `otherCount` are compared as one bucket. */
export const OTHER_CATEGORY = '\u0000other';

/** Evidently bins numeric columns with more than this many distinct reference values. */
const BIN_ABOVE_DISTINCT = 20;
const BINS = 30;

/** The two samples of one column, in the form the tests need. */
export type ColumnSamples =
  | { kind: 'numeric'; reference: number[]; live: number[] }
  | { kind: 'categorical'; reference: Map<string, number>; live: Map<string, number> };

/** The methods that test one scalar column (the embedding methods test whole vectors). */
export type ColumnMethod = Exclude<DriftMethod, 'mmd' | 'share_of_drifted_components'>;

export function isPValueMethod(method: DriftMethod): boolean {
  return method === 'ks' || method === 'chi2' || method === 'z' || method === 'mmd';
}

/** Live cells of one column, missing (null, undefined) and mistyped values skipped. */
export function columnSamples(
  profile: ColumnProfile,
  cells: readonly (CellValue | undefined)[],
): ColumnSamples {
  if (profile.type === 'numeric') {
    const live: number[] = [];
    for (const c of cells) if (typeof c === 'number' && Number.isFinite(c)) live.push(c);
    return { kind: 'numeric', reference: profile.sample, live };
  }
  const reference = new Map<string, number>();
  for (const [k, v] of Object.entries(profile.frequencies)) if (v > 0) reference.set(k, v);
  if (profile.otherCount > 0) reference.set(OTHER_CATEGORY, profile.otherCount);
  const live = new Map<string, number>();
  for (const c of cells) {
    if (c === null || c === undefined || (typeof c === 'number' && !Number.isFinite(c))) continue;
    let key = String(c);
    if (!reference.has(key) && profile.otherCount > 0) key = OTHER_CATEGORY;
    live.set(key, (live.get(key) ?? 0) + 1);
  }
  return { kind: 'categorical', reference, live };
}

/** Count occurrences of each numeric value (numeric columns compared as categories). */
function countValues(values: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return counts;
}

function asCategories(s: ColumnSamples): {
  reference: Map<string, number>;
  live: Map<string, number>;
} {
  return s.kind === 'categorical'
    ? s
    : { reference: countValues(s.reference), live: countValues(s.live) };
}

/**
 * Distinct non-missing values over reference and live together (Evidently's `n_values`),
 * counted up to `cap`: choosing a test only asks whether there are more than 5, and counting a
 * live window of numbers exactly (each one stringified into a map key) was a third of the
 * drift computation's time (`npm run bench:scale -- --only drift`).
 */
export function distinctValues(s: ColumnSamples, cap = Number.POSITIVE_INFINITY): number {
  const seen = new Set<number | string>();
  const sides = s.kind === 'numeric' ? [s.reference, s.live] : [s.reference.keys(), s.live.keys()];
  for (const side of sides)
    for (const value of side) {
      seen.add(value);
      if (seen.size >= cap) return cap;
    }
  return seen.size;
}

function sortedKeys(c: { reference: Map<string, number>; live: Map<string, number> }): string[] {
  return [...new Set([...c.reference.keys(), ...c.live.keys()])].sort();
}

function sharesOf(counts: Map<string, number>, keys: string[]): number[] {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return keys.map((k) => (total > 0 ? (counts.get(k) ?? 0) / total : 0));
}

/** Evidently `get_binned_data`: 30 equal bins for rich numeric columns, categories otherwise. */
function binned(s: ColumnSamples): { reference: number[]; live: number[] } {
  if (s.kind === 'numeric' && new Set(s.reference).size > BIN_ABOVE_DISTINCT) {
    const b = binnedShares(s.reference, s.live, BINS);
    return { reference: fillZeroes(b.reference), live: fillZeroes(b.live) };
  }
  const c = asCategories(s);
  const keys = sortedKeys(c);
  return {
    reference: fillZeroes(sharesOf(c.reference, keys)),
    live: fillZeroes(sharesOf(c.live, keys)),
  };
}

/** Run one method on one column: a p-value for tests, a distance otherwise. */
export function runMethod(method: ColumnMethod, s: ColumnSamples): number {
  switch (method) {
    case 'ks': {
      if (s.kind !== 'numeric') throw new RangeError('ks needs a numeric column');
      return ks2Samp(s.reference, s.live).pValue;
    }
    case 'wasserstein': {
      if (s.kind !== 'numeric') throw new RangeError('wasserstein needs a numeric column');
      return normedWasserstein(s.reference, s.live);
    }
    case 'chi2': {
      const c = asCategories(s);
      const keys = sortedKeys(c);
      const ref = keys.map((k) => c.reference.get(k) ?? 0);
      const live = keys.map((k) => c.live.get(k) ?? 0);
      return chiSquaredHomogeneity(ref, live).pValue;
    }
    case 'z': {
      const c = asCategories(s);
      const keys = sortedKeys(c);
      const key = keys[0];
      if (key === undefined) return 1;
      const nRef = [...c.reference.values()].reduce((a, b) => a + b, 0);
      const nLive = [...c.live.values()].reduce((a, b) => a + b, 0);
      return twoProportionZTest(c.reference.get(key) ?? 0, nRef, c.live.get(key) ?? 0, nLive)
        .pValue;
    }
    case 'jensen_shannon': {
      const b = binned(s);
      return jensenShannonDistance(b.reference, b.live);
    }
    case 'psi': {
      const b = binned(s);
      return psi(b.reference, b.live);
    }
  }
}
