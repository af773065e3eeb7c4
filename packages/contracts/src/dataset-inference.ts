import { z } from 'zod';
import { columnTypeSchema } from './column-type';
import { columnNameSchema } from './names';

/**
 * Strings that stand for a missing value in a column that is otherwise numeric. `""` and `"NA"`
 * are missing in every column; the others only where inference decided so (a small share of a
 * numeric column), since `"-"` or `"?"` can be a real category elsewhere.
 */
export const MISSING_TOKENS = ['', 'NA', 'n/a', 'N/A', '-', 'null', '?'] as const;

/**
 * What a person says about one column, overriding inference: its `type`, and `exclude` true to
 * leave it out of default features or false to keep a column inference would leave out (an
 * identifier that is really a feature; a datetime column, then expanded into derived features).
 */
export const columnHintSchema = z
  .object({ type: columnTypeSchema.optional(), exclude: z.boolean().optional() })
  .strict();
export type ColumnHint = z.infer<typeof columnHintSchema>;

/** A schema hint file: `{"columns": {"date": {"type": "datetime", "exclude": false}}}`. */
export const schemaHintsSchema = z
  .object({
    columns: z
      .record(columnNameSchema, columnHintSchema)
      .refine((c) => Object.keys(c).length <= 2_000, 'at most 2000 columns'),
  })
  .strict();
export type SchemaHints = z.infer<typeof schemaHintsSchema>;

/** How one column's type was decided, and whether the trainer's default features skip it. */
export const columnInferenceSchema = z.object({
  name: columnNameSchema,
  type: columnTypeSchema,
  /** Why the column has this type, in words. */
  reason: z.string(),
  /** Cells read as missing, per token (`""` = blank); absent when there were none. */
  missingTokens: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** What the values look like when that matters for features. */
  kind: z.enum(['date', 'identifier', 'text']).optional(),
  /** Set when the column is left out of default features (spec.features absent): why. */
  excluded: z.string().optional(),
  /** The schema hint applied to this column, as given (`--schema-hints`, `--exclude`, …). */
  hint: columnHintSchema.optional(),
});
export type ColumnInference = z.infer<typeof columnInferenceSchema>;

export const inferenceReportSchema = z.object({
  /** `schema`: types came from an explicit `?schema=`, nothing was inferred or excluded. */
  source: z.enum(['inferred', 'schema']),
  columns: z.array(columnInferenceSchema),
});
export type InferenceReport = z.infer<typeof inferenceReportSchema>;

/** Columns a trainer leaves out of its default features, with the reason (name → reason). */
export function excludedColumns(profile: { inference?: InferenceReport }): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of profile.inference?.columns ?? []) if (c.excluded) out.set(c.name, c.excluded);
  return out;
}
