import { z } from 'zod';
import { columnNameSchema, isoDateSchema, resourceNameSchema } from './names';

/**
 * Data validation as dataset state (TFDV's schema/statistics anomalies, Great Expectations'
 * expectations): each new version of a name is compared with the previous version's schema and
 * profile when it is ingested, and what looks wrong is stored with the version. The checks and
 * their thresholds live in `@mlops/ml/validation`.
 */
export const anomalyKindSchema = z.enum([
  /** A column of the previous version is not in this one. */
  'column_missing',
  /** A column this version has that the previous did not. */
  'column_added',
  /** The same column with another type (numeric ↔ categorical ↔ boolean ↔ image). */
  'type_changed',
  /** Categories the previous version never had. */
  'new_category',
  /** The share of missing cells rose past the threshold. */
  'missing_rate_jump',
  /** Numeric values outside the previous version's [min, max]. */
  'out_of_range',
  /** A categorical column's distribution (the label's, when it is one) moved. */
  'distribution_shift',
  /** Rows that repeat an earlier row exactly. */
  'duplicate_rows',
]);
export type AnomalyKind = z.infer<typeof anomalyKindSchema>;

/**
 * `error`: a model trained on the previous version cannot take this data as it is (a column it
 * reads is gone or changed type). `warning`: the data changed in a way a person should look at.
 */
export const anomalySeveritySchema = z.enum(['warning', 'error']);
export type AnomalySeverity = z.infer<typeof anomalySeveritySchema>;

export const anomalySchema = z.object({
  kind: anomalyKindSchema,
  severity: anomalySeveritySchema,
  /** The column it concerns; null for whole-dataset anomalies (duplicate rows). */
  column: columnNameSchema.nullable(),
  /** What was found, with the figures and the threshold, in words. */
  message: z.string().max(1_000),
  /** The measured figure (a share, a p-value, a distance), when there is one. */
  observed: z.number().nullable().default(null),
  /** The threshold it crossed or the previous version's figure, when there is one. */
  expected: z.number().nullable().default(null),
  /** The values involved (new categories), at most 20. */
  values: z.array(z.string()).max(20).optional(),
});
export type Anomaly = z.infer<typeof anomalySchema>;

export const MAX_ANOMALIES = 500;

export const datasetValidationSchema = z.object({
  /** The version this one was compared with; null for the first version of a name. */
  against: z.object({ version: z.number().int().positive() }).nullable(),
  anomalies: z.array(anomalySchema).max(MAX_ANOMALIES),
  checkedAt: isoDateSchema,
});
export type DatasetValidation = z.infer<typeof datasetValidationSchema>;

/**
 * When training on a version of this dataset is refused: `off` never, `error` when the version
 * has an error-level anomaly, `warning` when it has any anomaly.
 */
export const blockTrainingSchema = z.enum(['off', 'warning', 'error']);
export type BlockTraining = z.infer<typeof blockTrainingSchema>;

export const datasetPolicyInputSchema = z
  .object({ name: resourceNameSchema, blockTrainingOnAnomalies: blockTrainingSchema })
  .strict();

export const datasetPolicySchema = z.object({
  name: resourceNameSchema,
  blockTrainingOnAnomalies: blockTrainingSchema,
  updatedBy: z.string(),
  updatedAt: isoDateSchema,
});
export type DatasetPolicy = z.infer<typeof datasetPolicySchema>;

/** The anomalies a policy level refuses training on. */
export function blockingAnomalies(anomalies: readonly Anomaly[], level: BlockTraining): Anomaly[] {
  if (level === 'off') return [];
  return anomalies.filter((a) => level === 'warning' || a.severity === 'error');
}
