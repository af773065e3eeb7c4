import type { Column, DatasetProfile, PredictionLogEntry, Principal } from '@mlops/contracts';
import type { TokenVerifier } from '@mlops/client';
import { mulberry32 } from '@mlops/ml/split';

/** Seeded uniform generator (mulberry32). */
export const rng: (seed: number) => () => number = mulberry32;

export function normals(n: number, seed: number, mean = 0, std = 1): number[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    return mean + std * r * Math.cos(2 * Math.PI * u());
  });
}

export const columns: Column[] = [
  { name: 'x', type: 'numeric', nullable: false },
  { name: 'y', type: 'numeric', nullable: true },
  { name: 'color', type: 'categorical', nullable: false, categories: ['blue', 'green', 'red'] },
  { name: 'flag', type: 'boolean', nullable: false },
];

/** x ~ N(10, 2), y ~ N(0, 1), color 50/30/20, flag 30% true. */
export function featureRows(n: number, seed: number, shiftStd = 0) {
  const xs = normals(n, seed, 10 + 2 * shiftStd, 2);
  const ys = normals(n, seed + 1, shiftStd, 1);
  const u = rng(seed + 2);
  return xs.map((x, i) => {
    const c = u();
    return {
      x,
      y: i % 10 === 0 ? null : ys[i]!, // some missing values, which drift skips
      color: c < 0.5 ? 'red' : c < 0.8 ? 'green' : 'blue',
      flag: u() < 0.3,
    };
  });
}

/** A training profile like the registry's: a sample of 800 reference rows. */
export function referenceProfile(): DatasetProfile {
  const rows = featureRows(800, 42);
  const xs = rows.map((r) => r.x);
  const ys = rows.flatMap((r) => (r.y === null ? [] : [r.y]));
  const freq = (values: string[]) => {
    const out: Record<string, number> = {};
    for (const v of values) out[v] = (out[v] ?? 0) + 1;
    return out;
  };
  const numeric = (name: string, values: number[], missing: number) => ({
    name,
    type: 'numeric' as const,
    count: 800,
    missing,
    min: Math.min(...values),
    max: Math.max(...values),
    mean: 0,
    std: 1,
    distinct: values.length,
    histogram: { edges: [], counts: [] },
    sample: values,
  });
  const colors = rows.map((r) => r.color);
  const flags = rows.map((r) => String(r.flag));
  return {
    rowCount: 800,
    columns: [
      numeric('x', xs, 0),
      numeric('y', ys, 800 - ys.length),
      {
        name: 'color',
        type: 'categorical',
        count: 800,
        missing: 0,
        distinct: 3,
        frequencies: freq(colors),
        otherCount: 0,
        sample: colors,
      },
      {
        name: 'flag',
        type: 'boolean',
        count: 800,
        missing: 0,
        distinct: 2,
        frequencies: freq(flags),
        otherCount: 0,
        sample: flags,
      },
    ],
  };
}

export function logEntry(
  model: string,
  version: number,
  i: number,
  features: PredictionLogEntry['features'],
): PredictionLogEntry {
  return {
    id: `${model}-${version}-${i}`,
    model,
    version,
    at: new Date().toISOString(),
    features,
    prediction: { label: 'a', probabilities: { a: 0.6, b: 0.4 } },
  };
}

/**
 * The callers of the in-process monitor: every request is this test client, holding every
 * scope. Token checks are replayed against a real registry in scripts/test/security.
 */
export const TEST_CALLER: Principal = { name: 'token:test', tokenId: null, scopes: ['admin'] };
export const everyCaller: TokenVerifier = {
  verify: () => Promise.resolve(TEST_CALLER),
  authorize: () => Promise.resolve(TEST_CALLER),
};
