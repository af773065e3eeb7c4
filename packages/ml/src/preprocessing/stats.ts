/** Mean and population standard deviation; std 0 (or no values) becomes 1 so scaling is safe. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / values.length);
  return { mean, std: std > 1e-12 && Number.isFinite(std) ? std : 1 };
}

/** Most frequent value; ties go to the first in sorted order, so the result is deterministic. */
export function mode(counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = -1;
  for (const key of [...counts.keys()].sort()) {
    const count = counts.get(key) ?? 0;
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

/** Labels of a classification target are strings, whatever the cell type (numbers, booleans). */
export function labelOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return null;
}
