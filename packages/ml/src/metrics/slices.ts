import type { CellValue, DataRow } from '@mlops/contracts';

export interface SliceColumn {
  name: string;
  type: 'numeric' | 'categorical' | 'boolean';
}

/** The held-out rows of one slice: a value of a categorical feature, or a numeric quartile bin. */
export interface SliceGroup {
  feature: string;
  slice: string;
  indices: number[];
}

export interface ScoredSlice {
  feature: string;
  slice: string;
  rows: number;
  score: number | null;
  flagged: boolean;
}

const MISSING = '(missing)';

function fmt(n: number): string {
  return String(Number(n.toPrecision(4)));
}

/**
 * Slices of `rows`: every value of each categorical or boolean column (its `maxValues` most
 * frequent: an id-like column would otherwise make one slice per row), and quartile bins of each
 * numeric column, with missing values as a slice of their own.
 */
export function sliceRows(
  columns: readonly SliceColumn[],
  rows: readonly DataRow[],
  maxValues = 20,
): SliceGroup[] {
  const groups: SliceGroup[] = [];
  for (const col of columns) {
    if (col.type === 'numeric') groups.push(...numericSlices(col.name, rows));
    else groups.push(...valueSlices(col.name, rows, maxValues));
  }
  return groups;
}

function valueSlices(name: string, rows: readonly DataRow[], maxValues: number): SliceGroup[] {
  const byValue = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const key = label(row[name]);
    const list = byValue.get(key) ?? [];
    list.push(i);
    byValue.set(key, list);
  });
  return [...byValue.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .slice(0, maxValues)
    .map(([slice, indices]) => ({ feature: name, slice, indices }));
}

function label(v: CellValue | undefined): string {
  return v === null || v === undefined || v === '' ? MISSING : String(v);
}

/** Quartile bins [min, q1), [q1, q2), [q2, q3), [q3, max] of the rows' own values. */
function numericSlices(name: string, rows: readonly DataRow[]): SliceGroup[] {
  const present: Array<{ v: number; i: number }> = [];
  const missing: number[] = [];
  rows.forEach((row, i) => {
    const v = row[name];
    if (typeof v === 'number' && Number.isFinite(v)) present.push({ v, i });
    else missing.push(i);
  });
  const groups: SliceGroup[] = [];
  if (present.length > 0) {
    const sorted = present.map((p) => p.v).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
    const min = sorted[0] ?? 0;
    const max = sorted[sorted.length - 1] ?? 0;
    // Duplicate edges (a column with few values) collapse into fewer bins.
    const edges = [...new Set([min, at(0.25), at(0.5), at(0.75)])];
    edges.forEach((lo, b) => {
      const hi = edges[b + 1];
      const last = hi === undefined;
      const indices = present
        .filter((p) => p.v >= lo && (last ? p.v <= max : p.v < hi))
        .map((p) => p.i);
      const slice = last ? `[${fmt(lo)}, ${fmt(max)}]` : `[${fmt(lo)}, ${fmt(hi)})`;
      if (indices.length > 0) groups.push({ feature: name, slice, indices });
    });
  }
  if (missing.length > 0) groups.push({ feature: name, slice: MISSING, indices: missing });
  return groups;
}

/**
 * Score each slice (greater is better) and flag those with at least `minRows` rows that score
 * more than `maxDrop` below the whole split: where the model is much worse than its average.
 */
export function scoreSlices(
  groups: readonly SliceGroup[],
  score: (indices: readonly number[]) => number | null,
  overall: number,
  opts: { minRows: number; maxDrop: number },
): ScoredSlice[] {
  return groups.map((g) => {
    const s = score(g.indices);
    return {
      feature: g.feature,
      slice: g.slice,
      rows: g.indices.length,
      score: s,
      flagged: s !== null && g.indices.length >= opts.minRows && s < overall - opts.maxDrop,
    };
  });
}

/** The slice scoring lowest among those with enough rows (null when none has a score). */
export function worstSlice(slices: readonly ScoredSlice[], minRows: number): ScoredSlice | null {
  let worst: ScoredSlice | null = null;
  for (const s of slices) {
    if (s.score === null || s.rows < minRows) continue;
    if (worst === null || s.score < (worst.score ?? Infinity)) worst = s;
  }
  return worst;
}
