import { z } from 'zod';
import { resourceNameSchema } from './names';

export const driftMethodSchema = z.enum([
  'ks',
  'chi2',
  'z',
  'wasserstein',
  'jensen_shannon',
  'psi',
]);
export type DriftMethod = z.infer<typeof driftMethodSchema>;

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
});
export type DriftPolicy = z.infer<typeof driftPolicySchema>;

export const columnDriftSchema = z.object({
  column: z.string(),
  type: z.enum(['numeric', 'categorical', 'boolean']),
  method: driftMethodSchema,
  /** p-value for tests (ks, chi2, z), distance otherwise. */
  score: z.number(),
  threshold: z.number(),
  drifted: z.boolean(),
});
export type ColumnDrift = z.infer<typeof columnDriftSchema>;

export const driftReportSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  window: z.object({
    rows: z.number().int().nonnegative(),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
  referenceRows: z.number().int().nonnegative(),
  insufficientData: z.boolean(),
  columns: z.array(columnDriftSchema),
  driftedColumns: z.array(z.string()),
  driftShare: z.number(),
  datasetDrift: z.boolean(),
  computedAt: z.string(),
});
export type DriftReport = z.infer<typeof driftReportSchema>;
