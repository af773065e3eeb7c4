/** mulberry32: a tiny, fast 32-bit PRNG; the same seed gives the same stream everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher-Yates shuffle driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

export interface SplitOptions {
  /** Share of all rows held out for the final evaluation. */
  testFraction: number;
  /** Share of the remaining (non-test) rows used for validation / early stopping. */
  validationFraction: number;
  seed: number;
  /** One key per row (e.g. the class label): each stratum is split in the same proportions. */
  strata?: ReadonlyArray<string | number | boolean | null>;
}

export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Seeded train / validation / test split of `n` row indices. Per stratum, rounding keeps at least
 * one row in training, so a class seen at all is seen in training.
 */
export function splitIndices(n: number, opts: SplitOptions): SplitIndices {
  const rng = mulberry32(opts.seed);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = opts.strata ? String(opts.strata[i] ?? null) : '';
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const out: SplitIndices = { train: [], validation: [], test: [] };
  // Sorted keys: the split must not depend on which class happens to come first in the file.
  for (const key of [...groups.keys()].sort()) {
    const idx = shuffleInPlace(groups.get(key) ?? [], rng);
    const nTest = Math.min(Math.round(idx.length * opts.testFraction), idx.length - 1);
    const rest = idx.length - nTest;
    const nVal = Math.min(Math.round(rest * opts.validationFraction), rest - 1);
    out.test.push(...idx.slice(0, nTest));
    out.validation.push(...idx.slice(nTest, nTest + nVal));
    out.train.push(...idx.slice(nTest + nVal));
  }
  // Interleave strata so no consumer sees rows grouped by class.
  shuffleInPlace(out.train, rng);
  shuffleInPlace(out.validation, rng);
  shuffleInPlace(out.test, rng);
  return out;
}
