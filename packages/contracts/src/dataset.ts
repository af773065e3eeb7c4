import { z } from 'zod';
import {
  columnNameSchema,
  idSchema,
  isoDateSchema,
  resourceNameSchema,
  sha256Schema,
} from './names';

export const columnTypeSchema = z.enum(['numeric', 'categorical', 'boolean']);
export type ColumnType = z.infer<typeof columnTypeSchema>;

/** One column of a dataset (and, later, one feature of a model signature). */
export const columnSchema = z.object({
  name: columnNameSchema,
  type: columnTypeSchema,
  nullable: z.boolean(),
  /** Categorical only: the allowed values, sorted. Absent = any string. */
  categories: z.array(z.string()).max(10_000).optional(),
});
export type Column = z.infer<typeof columnSchema>;

/** Widest dataset the platform takes: uploads wider than this are refused at their header. */
export const MAX_DATASET_COLUMNS = 2_000;

export const datasetSchemaSchema = z
  .object({ columns: z.array(columnSchema).min(1).max(MAX_DATASET_COLUMNS) })
  .refine((s) => new Set(s.columns.map((c) => c.name)).size === s.columns.length, {
    message: 'column names must be unique',
    path: ['columns'],
  });
export type DatasetSchema = z.infer<typeof datasetSchemaSchema>;

export const datasetFormatSchema = z.enum(['csv', 'json', 'jsonl']);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

/** A cell after parsing: numbers, category strings, booleans, or missing. */
export type CellValue = number | string | boolean | null;

/**
 * A row of a stored dataset as its JSON Lines hold it: an array of cells. Checked by hand, not
 * by a schema: every reader of a dataset runs it once per row of every pass.
 */
export function isCellRow(value: unknown): value is CellValue[] {
  if (!Array.isArray(value)) return false;
  for (const cell of value as unknown[]) {
    const type = typeof cell;
    if (cell !== null && type !== 'number' && type !== 'string' && type !== 'boolean') return false;
  }
  return true;
}
export type DataRow = Record<string, CellValue>;

export const histogramSchema = z.object({
  /** Bin edges, length bins+1, ascending. */
  edges: z.array(z.number()),
  counts: z.array(z.number().int().nonnegative()),
});
export type Histogram = z.infer<typeof histogramSchema>;

const profileBase = {
  name: columnNameSchema,
  count: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
};

/**
 * Per-column statistics. `sample` is a seeded reservoir sample of at most 1000 non-missing
 * values: the reference distribution that drift tests (KS, chi-squared) compare live data with.
 */
export const numericProfileSchema = z.object({
  ...profileBase,
  type: z.literal('numeric'),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  distinct: z.number().int().nonnegative(),
  histogram: histogramSchema,
  sample: z.array(z.number()),
});

export const categoricalProfileSchema = z.object({
  ...profileBase,
  type: z.enum(['categorical', 'boolean']),
  distinct: z.number().int().nonnegative(),
  /** Counts of every category (top 1000 by count; the rest summed under `otherCount`). */
  frequencies: z.record(z.string(), z.number().int().nonnegative()),
  otherCount: z.number().int().nonnegative(),
  sample: z.array(z.string()),
});

export const columnProfileSchema = z.discriminatedUnion('type', [
  numericProfileSchema,
  categoricalProfileSchema,
]);
export type NumericProfile = z.infer<typeof numericProfileSchema>;
export type CategoricalProfile = z.infer<typeof categoricalProfileSchema>;
export type ColumnProfile = z.infer<typeof columnProfileSchema>;

export const datasetProfileSchema = z.object({
  rowCount: z.number().int().nonnegative(),
  columns: z.array(columnProfileSchema),
});
export type DatasetProfile = z.infer<typeof datasetProfileSchema>;

/** An immutable, content-addressed dataset version. */
export const datasetVersionSchema = z.object({
  id: idSchema,
  name: resourceNameSchema,
  version: z.number().int().positive(),
  /** sha256 of the canonical JSON Lines form (see `canonicalRowLine`). */
  hash: sha256Schema,
  format: datasetFormatSchema,
  rowCount: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  schema: datasetSchemaSchema,
  profile: datasetProfileSchema,
  createdAt: isoDateSchema,
});
export type DatasetVersion = z.infer<typeof datasetVersionSchema>;

/** Summary without the profile, for listings. */
export const datasetVersionSummarySchema = datasetVersionSchema.omit({ profile: true });
export type DatasetVersionSummary = z.infer<typeof datasetVersionSummarySchema>;

/**
 * The canonical stored form of a dataset is JSON Lines, one array of cell values per row in
 * the order of `schema.columns`. Its sha256 is the dataset's identity, whatever file it came from.
 */
export function canonicalRowLine(columns: readonly Column[], row: DataRow): string {
  return JSON.stringify(columns.map((c) => row[c.name] ?? null)) + '\n';
}

/** Query of the dataset upload route `POST /api/datasets/:name`. */
export const datasetUploadQuerySchema = z.object({
  format: datasetFormatSchema.optional(),
  /** JSON of a DatasetSchema to check rows against; when absent the schema is inferred. */
  schema: z.string().max(200_000).optional(),
  /** Columns to force as categorical during inference (comma separated). */
  categorical: z.string().max(10_000).optional(),
});
export type DatasetUploadQuery = z.infer<typeof datasetUploadQuerySchema>;
