import { z } from 'zod';
import { resourceNameSchema } from './names';

export const driftMethodSchema = z.enum([
  'ks',
  'chi2',
  'z',
  'wasserstein',
  'jensen_shannon',
  'psi',
  // Embedding (image) drift, as Evidently names its methods: a kernel two-sample test on whole
  // vectors, and the share of vector components whose own KS test drifts.
  'mmd',
  'share_of_drifted_components',
]);
export type DriftMethod = z.infer<typeof driftMethodSchema>;

/** How a whole embedding vector is tested (see packages/ml/src/drift/embedding.ts). */
export const embeddingDriftMethodSchema = z.enum(['mmd', 'share_of_drifted_components']);
export type EmbeddingDriftMethod = z.infer<typeof embeddingDriftMethodSchema>;

/**
 * What live traffic was compared with: the training data (the bundle's profile or, for a
 * tensor model, its `drift-reference.json`), or — for a version whose bundle has no training
 * reference, e.g. an imported model — the version's own first window of traffic.
 */
export const driftReferenceKindSchema = z.enum(['training', 'first_window']);
export type DriftReferenceKind = z.infer<typeof driftReferenceKindSchema>;

/** Evidently-compatible defaults: p-value tests for small references, distances for large. */
export const driftPolicySchema = z.object({
  pValueThreshold: z.number().gt(0).lt(1).default(0.05),
  distanceThreshold: z.number().gt(0).default(0.1),
  /** Dataset drift when the share of drifted columns reaches this. */
  driftShare: z.number().gt(0).max(1).default(0.5),
  /** Reference size up to which p-value tests are used. */
  smallReferenceRows: z.number().int().positive().default(1000),
  /** Live rows needed before a report is given (fewer: `insufficientData`). */
  minRows: z.number().int().positive().default(20),
  /** Window of the most recent rows compared. */
  windowSize: z.number().int().positive().default(500),
  /** The test of an image input's embedding (its thumbnail vector). */
  embeddingMethod: embeddingDriftMethodSchema.default('mmd'),
  /** `share_of_drifted_components`: the embedding drifts when this share of components does. */
  embeddingComponentShare: z.number().gt(0).max(1).default(0.2),
  /** `mmd`: permutations of the p-value (seeded, so one window always gets one answer). */
  mmdPermutations: z.number().int().min(20).max(5_000).default(200),
});
export type DriftPolicy = z.infer<typeof driftPolicySchema>;

export const columnDriftSchema = z.object({
  column: z.string(),
  /** `embedding`: a vector per row (an image's thumbnail), tested as a whole. */
  type: z.enum(['numeric', 'categorical', 'boolean', 'embedding']),
  method: driftMethodSchema,
  /**
   * p-value for tests (ks, chi2, z, mmd), distance otherwise; for
   * `share_of_drifted_components` the share of components that drifted.
   */
  score: z.number(),
  /** The test statistic behind a p-value when it says more than the p-value (mmd: MMD²). */
  statistic: z.number().optional(),
  threshold: z.number(),
  drifted: z.boolean(),
});
export type ColumnDrift = z.infer<typeof columnDriftSchema>;

/**
 * Data quality of one feature in a window of served rows, against the version's training:
 * categorical values the version does not know (its signature's categories), numeric values
 * outside the training profile's [min, max]. Rates are over the window's rows.
 */
export const featureDataQualitySchema = z.object({
  feature: z.string(),
  type: z.enum(['numeric', 'categorical']),
  unknownCategories: z.number().int().nonnegative(),
  unknownCategoryRate: z.number().min(0).max(1),
  outsideTrainingRange: z.number().int().nonnegative(),
  outsideTrainingRangeRate: z.number().min(0).max(1),
  /** The training profile's range of a numeric feature (null: categorical, or unknown). */
  trainingMin: z.number().nullable(),
  trainingMax: z.number().nullable(),
});
export type FeatureDataQuality = z.infer<typeof featureDataQualitySchema>;

export const dataQualitySchema = z.object({
  rows: z.number().int().nonnegative(),
  features: z.array(featureDataQualitySchema),
});
export type DataQuality = z.infer<typeof dataQualitySchema>;

export const driftReportSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  window: z.object({
    rows: z.number().int().nonnegative(),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
  referenceRows: z.number().int().nonnegative(),
  /** What the reference rows are; absent in reports stored before it was recorded. */
  reference: driftReferenceKindSchema.optional(),
  insufficientData: z.boolean(),
  columns: z.array(columnDriftSchema),
  driftedColumns: z.array(z.string()),
  driftShare: z.number(),
  datasetDrift: z.boolean(),
  /** Unknown categories and out-of-range numerics in the window (absent: a tensor model). */
  dataQuality: dataQualitySchema.optional(),
  computedAt: z.string(),
});
export type DriftReport = z.infer<typeof driftReportSchema>;
