import { z } from 'zod';
import {
  columnNameSchema,
  idSchema,
  isoDateSchema,
  resourceNameSchema,
  sha256Schema,
} from './names';
import { datasetValidationSchema } from './dataset-validation';
import { columnTypeSchema } from './column-type';
import { inferenceReportSchema } from './dataset-inference';

export { columnTypeSchema, type ColumnType } from './column-type';

/** Encodings an image dataset takes (what `sharp` decodes without extra libraries). */
export const imageFormatSchema = z.enum(['jpeg', 'png', 'webp']);
export type ImageFormat = z.infer<typeof imageFormatSchema>;

/**
 * A cell of an `image` column: the image's blob (content-addressed, so an image that occurs
 * twice is stored once) and what a reader needs before fetching it.
 */
export const imageCellSchema = z
  .object({
    sha256: sha256Schema,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    format: imageFormatSchema,
  })
  .strict();
export type ImageCell = z.infer<typeof imageCellSchema>;

/** Checked by hand like `isCellRow`: it runs once per image row of every pass. */
export function isImageCell(value: unknown): value is ImageCell {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.sha256 === 'string' &&
    typeof v.width === 'number' &&
    typeof v.height === 'number' &&
    typeof v.format === 'string'
  );
}

/** One column of a dataset (and, later, one feature of a model signature). */
export const columnSchema = z.object({
  name: columnNameSchema,
  type: columnTypeSchema,
  nullable: z.boolean(),
  /** Categorical only: the allowed values, sorted. Absent = any string. */
  categories: z.array(z.string()).max(10_000).optional(),
});
export type Column = z.infer<typeof columnSchema>;

/**
 * A dataset column whose cells reference images in the artifact store (`ImageCell`s). Only
 * datasets have them: a scalar signature's features stay `Column`s, an image model input is a
 * tensor input (tensor.ts).
 */
export const imageColumnSchema = z
  .object({ name: columnNameSchema, type: z.literal('image'), nullable: z.boolean() })
  .strict();
export type ImageColumn = z.infer<typeof imageColumnSchema>;

/** A column of a dataset: scalar, or `image`. Stored tabular schemas parse unchanged. */
export const datasetColumnSchema = z.union([columnSchema, imageColumnSchema]);
export type DatasetColumn = z.infer<typeof datasetColumnSchema>;

export function isImageColumn(column: DatasetColumn): column is ImageColumn {
  return column.type === 'image';
}

/** The scalar columns of a dataset (all of them for a tabular dataset). */
export function scalarColumns(columns: readonly DatasetColumn[]): Column[] {
  return columns.filter((c): c is Column => c.type !== 'image');
}

/** Widest dataset the platform takes: uploads wider than this are refused at their header. */
export const MAX_DATASET_COLUMNS = 2_000;

export const datasetSchemaSchema = z
  .object({ columns: z.array(datasetColumnSchema).min(1).max(MAX_DATASET_COLUMNS) })
  .refine((s) => new Set(s.columns.map((c) => c.name)).size === s.columns.length, {
    message: 'column names must be unique',
    path: ['columns'],
  });
export type DatasetSchema = z.infer<typeof datasetSchemaSchema>;

/** Tabular uploads (`csv`, `json`, `jsonl`) and image archives (`zip`, `tar`, `tar.gz`). */
export const datasetFormatSchema = z.enum(['csv', 'json', 'jsonl', 'zip', 'tar', 'tar.gz']);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;
export const ARCHIVE_FORMATS = ['zip', 'tar', 'tar.gz'] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];
export function isArchiveFormat(format: DatasetFormat): format is ArchiveFormat {
  return (ARCHIVE_FORMATS as readonly string[]).includes(format);
}

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

/** A row of an image dataset: scalar cells and `ImageCell`s in its `image` columns. */
export function isDatasetRow(value: unknown): value is Array<CellValue | ImageCell> {
  if (!Array.isArray(value)) return false;
  for (const cell of value as unknown[]) {
    const type = typeof cell;
    if (cell !== null && type !== 'number' && type !== 'string' && type !== 'boolean')
      if (!isImageCell(cell)) return false;
  }
  return true;
}

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
  type: z.enum(['categorical', 'boolean', 'datetime']),
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

const sizeStatsSchema = z.object({
  min: z.number().int().nonnegative(),
  median: z.number().nonnegative(),
  max: z.number().int().nonnegative(),
});

/**
 * Statistics of an `image` column: what monitoring compares live images with (channel means,
 * brightness) and what a person looks at first (classes, sizes, thumbnails). Channels are of
 * the image as sRGB without alpha, values 0–255; brightness is the luma 0.299R+0.587G+0.114B.
 */
export const imageProfileSchema = z.object({
  column: columnNameSchema,
  count: z.number().int().nonnegative(),
  /** Distinct images (blobs) among the rows. */
  distinct: z.number().int().nonnegative(),
  formats: z.record(z.string(), z.number().int().nonnegative()),
  width: sizeStatsSchema,
  height: sizeStatsSchema,
  channels: z.array(
    z.object({ channel: z.enum(['red', 'green', 'blue']), mean: z.number(), std: z.number() }),
  ),
  brightness: histogramSchema,
  /** The class column the counts and thumbnails are grouped by, when the dataset has one. */
  labelColumn: columnNameSchema.optional(),
  /** Per class (by count, descending): its count and a few small JPEG thumbnails (blobs). */
  classes: z.array(
    z.object({
      label: z.string(),
      count: z.number().int().nonnegative(),
      thumbnails: z.array(imageCellSchema),
    }),
  ),
});
export type ImageProfile = z.infer<typeof imageProfileSchema>;

export const datasetProfileSchema = z.object({
  rowCount: z.number().int().nonnegative(),
  /** Scalar columns only; `image` columns are profiled in `images`. */
  columns: z.array(columnProfileSchema),
  images: z.array(imageProfileSchema).optional(),
  /** Tabular uploads: every type decision and feature exclusion, with its reason. */
  inference: inferenceReportSchema.optional(),
  /**
   * Tabular uploads: rows identical to an earlier row (counted exactly up to 2,000,000 distinct
   * rows, see `@mlops/ml/validation`). Absent on versions ingested before it was counted.
   */
  duplicateRows: z.number().int().nonnegative().optional(),
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
  /**
   * The checks against the previous version of the name, run at ingest (dataset-validation.ts);
   * null on versions ingested before validation existed.
   */
  validation: datasetValidationSchema.nullable().default(null),
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
export function canonicalRowLine(columns: ReadonlyArray<{ name: string }>, row: DataRow): string {
  return JSON.stringify(columns.map((c) => row[c.name] ?? null)) + '\n';
}

/** Query of the dataset upload route `POST /api/datasets/:name`. */
export const datasetUploadQuerySchema = z.object({
  format: datasetFormatSchema.optional(),
  /** JSON of a DatasetSchema to check rows against; when absent the schema is inferred. */
  schema: z.string().max(200_000).optional(),
  /** Columns to force as categorical during inference (comma separated). */
  categorical: z.string().max(10_000).optional(),
  /** JSON of SchemaHints: per column type and exclusion, overriding inference. */
  hints: z.string().max(200_000).optional(),
  /** Archives with a manifest: the column naming each row's image file (default: detected). */
  imageColumn: z.string().max(200).optional(),
  /** Archives with a manifest: the class column of the profile (default `label`). */
  label: z.string().max(200).optional(),
  /**
   * The pipeline step uploading (the `ingest` step), both or neither: recorded as the new
   * version's producer while that step is running (see contracts `producedBySchema`), and that
   * pipeline's `on.dataset` does not fire for the version, so a pipeline that ingests the
   * dataset it triggers on does not loop.
   */
  pipelineRunId: z.string().max(64).optional(),
  pipelineStepId: z.string().max(63).optional(),
});
export type DatasetUploadQuery = z.infer<typeof datasetUploadQuerySchema>;
