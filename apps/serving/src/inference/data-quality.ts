import {
  AppError,
  type BundleManifest,
  type DataRow,
  type ErrorDetail,
  type PredictionDataQuality,
} from '@mlops/contracts';
import type { FeatureColumns } from '../models/row-block';
import type { FeatureRange } from './input-ranges';

/** SERVING_UNKNOWN_CATEGORY: what a category the version does not know gets (docs/serving.md). */
export const UNKNOWN_CATEGORY_MODES = ['error', 'null', 'ignore'] as const;
export type UnknownCategoryMode = (typeof UNKNOWN_CATEGORY_MODES)[number];

/** A categorical input and the categories its version knows. */
interface KnownCategories {
  name: string;
  known: ReadonlySet<string>;
}

/**
 * The categories each categorical input knows: the signature's (what clients are told), else
 * the fitted one-hot's (an imported or older bundle whose signature lists none). An input with
 * neither knows every value and is never flagged.
 */
export function knownCategories(
  manifest: Pick<BundleManifest, 'signature' | 'preprocessing'>,
): KnownCategories[] {
  const fitted = new Map<string, string[]>();
  for (const t of manifest.preprocessing.features)
    if (t.kind === 'one-hot') fitted.set(t.column, t.categories);
  const out: KnownCategories[] = [];
  for (const c of manifest.signature.inputs) {
    if (c.type !== 'categorical') continue;
    const categories = c.categories ?? fitted.get(c.name);
    if (categories) out.push({ name: c.name, known: new Set(categories) });
  }
  return out;
}

/** What one request held that the version's training did not: per row, and counts per feature. */
export interface Screened {
  /** The rows to predict: unknown categories made null under `null`, else the rows as given. */
  rows: DataRow[];
  /** Per row, the flagged features; null when no row was flagged (the usual request). */
  flags: Array<PredictionDataQuality | null> | null;
  /** Flagged values per feature: unknown categories and numerics outside the training range. */
  unknown: ReadonlyMap<string, number>;
  outside: ReadonlyMap<string, number>;
  /** Under `error`: the unknown categories, named (at most 20); the caller answers 400. */
  refused: ErrorDetail[];
}

const MAX_DETAILS = 20;

/** Returned when nothing was found: the usual request allocates no maps. */
const NONE: ReadonlyMap<string, number> = new Map();

function bump(counts: Map<string, number> | null, name: string): Map<string, number> {
  const map = counts ?? new Map<string, number>();
  map.set(name, (map.get(name) ?? 0) + 1);
  return map;
}

function flagOf(flags: Array<PredictionDataQuality | null>, i: number): PredictionDataQuality {
  return (flags[i] ??= {});
}

function unknownDetail(
  name: string,
  known: ReadonlySet<string>,
  v: string,
  i: number,
  rename: (path: string) => string,
): ErrorDetail {
  return {
    path: rename(`instances[${i}].${name}`),
    message: `unknown category ${JSON.stringify(v.slice(0, 60))} for feature "${name}" (known: ${[...known].slice(0, 10).join(', ')}${known.size > 10 ? ', …' : ''})`,
  };
}

/**
 * Screens checked rows for unknown categories and numerics outside the training [min, max],
 * applying SERVING_UNKNOWN_CATEGORY: `error` refuses them (`refused`: 400 naming each),
 * `null` answers the row with the value missing (imputed by the preprocessing), `ignore`
 * answers it as sent (the one-hot of an unknown category is all zeros). Out-of-range numerics
 * are only flagged: the model may extrapolate sensibly, and far-out ones are flagged already.
 */
export function screenRows(
  rows: DataRow[],
  categories: readonly KnownCategories[],
  ranges: readonly FeatureRange[],
  mode: UnknownCategoryMode,
  rename: (path: string) => string = (p) => p,
): Screened {
  let flags: Array<PredictionDataQuality | null> | null = null;
  let unknown: Map<string, number> | null = null;
  let outside: Map<string, number> | null = null;
  const refused: ErrorDetail[] = [];
  let out = rows;
  for (const { name, known } of categories) {
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![name];
      if (typeof v !== 'string' || known.has(v)) continue;
      unknown = bump(unknown, name);
      if (mode === 'error') {
        if (refused.length < MAX_DETAILS) refused.push(unknownDetail(name, known, v, i, rename));
        continue;
      }
      flags ??= new Array<PredictionDataQuality | null>(rows.length).fill(null);
      (flagOf(flags, i).unknownCategories ??= []).push(name);
      if (mode === 'null') {
        // Rows may be the client's own objects, shared with nothing else; copied anyway so a
        // row is never changed under a caller that kept it.
        if (out === rows) out = rows.slice();
        out[i] = { ...out[i]!, [name]: null };
      }
    }
  }
  if (refused.length > 0)
    return { rows, flags: null, unknown: unknown ?? NONE, outside: NONE, refused };
  for (const range of ranges) {
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![range.name];
      if (typeof v !== 'number' || (v >= range.min && v <= range.max)) continue;
      outside = bump(outside, range.name);
      flags ??= new Array<PredictionDataQuality | null>(rows.length).fill(null);
      (flagOf(flags, i).outsideTrainingRange ??= []).push(range.name);
    }
  }
  return { rows: out, flags, unknown: unknown ?? NONE, outside: outside ?? NONE, refused };
}

/** The 400 of a request refused for unknown categories, naming each feature and value. */
export function unknownCategoryError(refused: readonly ErrorDetail[]): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `Unknown categories (SERVING_UNKNOWN_CATEGORY=error): ${refused
      .slice(0, 5)
      .map((d) => `${d.path}: ${d.message}`)
      .join('; ')}`,
    [...refused],
  );
}

/** screenRows' answer for a request sent as columns: the columns to predict instead of rows. */
export type ScreenedColumns = Omit<Screened, 'rows'> & { columns: FeatureColumns };

/**
 * screenRows for a request sent as columns: the same flags, counts and refusals in the same
 * order (feature after feature, row after row), each column read once; under `null` an unknown
 * category's column is copied with the value made null.
 */
export function screenColumns(
  columns: FeatureColumns,
  categories: readonly KnownCategories[],
  ranges: readonly FeatureRange[],
  mode: UnknownCategoryMode,
  rename: (path: string) => string = (p) => p,
): ScreenedColumns {
  const n = columns.rows;
  let flags: Array<PredictionDataQuality | null> | null = null;
  let unknown: Map<string, number> | null = null;
  let outside: Map<string, number> | null = null;
  const refused: ErrorDetail[] = [];
  let cells = columns.cells;
  for (const { name, known } of categories) {
    const column = columns.cells.get(name);
    if (!column) continue;
    let nulled: unknown[] | null = null;
    for (let i = 0; i < n; i++) {
      const v = column[i];
      if (typeof v !== 'string' || known.has(v)) continue;
      unknown = bump(unknown, name);
      if (mode === 'error') {
        if (refused.length < MAX_DETAILS) refused.push(unknownDetail(name, known, v, i, rename));
        continue;
      }
      flags ??= new Array<PredictionDataQuality | null>(n).fill(null);
      (flagOf(flags, i).unknownCategories ??= []).push(name);
      if (mode === 'null') (nulled ??= Array.from(column))[i] = null;
    }
    if (nulled) {
      // The client's column is never changed: the request's cells are copied.
      if (cells === columns.cells) cells = new Map(cells);
      (cells as Map<string, ArrayLike<unknown>>).set(name, nulled);
    }
  }
  if (refused.length > 0)
    return { columns, flags: null, unknown: unknown ?? NONE, outside: NONE, refused };
  for (const range of ranges) {
    const column = columns.cells.get(range.name);
    if (!column) continue;
    for (let i = 0; i < n; i++) {
      const v = column[i];
      if (typeof v !== 'number' || (v >= range.min && v <= range.max)) continue;
      outside = bump(outside, range.name);
      flags ??= new Array<PredictionDataQuality | null>(n).fill(null);
      (flagOf(flags, i).outsideTrainingRange ??= []).push(range.name);
    }
  }
  return {
    columns: cells === columns.cells ? columns : { rows: n, cells },
    flags,
    unknown: unknown ?? NONE,
    outside: outside ?? NONE,
    refused,
  };
}
