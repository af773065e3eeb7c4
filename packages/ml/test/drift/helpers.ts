import type { CategoricalProfile, DatasetProfile, NumericProfile } from '@mlops/contracts';
import { mulberry32 } from '../../src/split';

/** Seeded uniform generator (mulberry32) so every test sees the same samples. */
export const rng: (seed: number) => () => number = mulberry32;

/** Standard normal draws by Box–Muller. */
export function normals(n: number, seed: number, mean = 0, std = 1): number[] {
  const u = rng(seed);
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out.push(mean + std * r * Math.cos(th));
    if (out.length < n) out.push(mean + std * r * Math.sin(th));
  }
  return out;
}

/** Draw categories with the given probabilities. */
export function categories(n: number, seed: number, probs: Record<string, number>): string[] {
  const u = rng(seed);
  const entries = Object.entries(probs);
  return Array.from({ length: n }, () => {
    let r = u();
    for (const [k, p] of entries) {
      if (r < p) return k;
      r -= p;
    }
    return entries[entries.length - 1]![0];
  });
}

export function numericProfile(name: string, values: number[]): NumericProfile {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return {
    name,
    type: 'numeric',
    count: values.length,
    missing: 0,
    min: Math.min(...values),
    max: Math.max(...values),
    mean,
    std,
    distinct: new Set(values).size,
    histogram: { edges: [], counts: [] },
    sample: values.slice(0, 1000),
  };
}

export function categoricalProfile(
  name: string,
  values: string[],
  type: 'categorical' | 'boolean' = 'categorical',
): CategoricalProfile {
  const frequencies: Record<string, number> = {};
  for (const v of values) frequencies[v] = (frequencies[v] ?? 0) + 1;
  return {
    name,
    type,
    count: values.length,
    missing: 0,
    distinct: Object.keys(frequencies).length,
    frequencies,
    otherCount: 0,
    sample: values.slice(0, 1000),
  };
}

export function profile(rowCount: number, columns: DatasetProfile['columns']): DatasetProfile {
  return { rowCount, columns };
}
