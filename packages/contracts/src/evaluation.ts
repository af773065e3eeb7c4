import { z } from 'zod';
import { idSchema, isoDateSchema, resourceNameSchema } from './names';
import { metricsSchema } from './training';

/**
 * Platform-computed metrics: numbers the platform measured itself, as opposed to the metrics a
 * client wrote into a manifest (`claimed`). Only a principal with the `train` scope (the
 * trainer's service token) records them, from one of two sources:
 * - `run`: the held-out evaluation of the training run that produced the version;
 * - `evaluation`: a re-evaluation of the version on a registered dataset (`versions.evaluate`),
 *   the way imported or client-registered versions get platform metrics.
 * The promotion gate reads these; claimed metrics are shown, labelled, and never trusted.
 */
export const platformMetricsSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), runId: idSchema }),
  z.object({
    kind: z.literal('evaluation'),
    evaluationId: idSchema,
    dataset: z.object({ name: resourceNameSchema, version: z.number().int().positive() }),
  }),
]);
export type PlatformMetricsSource = z.infer<typeof platformMetricsSourceSchema>;

export const platformMetricsSchema = z.object({
  metrics: metricsSchema,
  source: platformMetricsSourceSchema,
  recordedAt: isoDateSchema,
  /** Who recorded them (always a `train` principal, normally `service:trainer`). */
  recordedBy: z.string(),
});
export type PlatformMetrics = z.infer<typeof platformMetricsSchema>;

export const evaluationStatusSchema = z.enum(['queued', 'running', 'completed', 'failed']);
export type EvaluationStatus = z.infer<typeof evaluationStatusSchema>;

/** One re-evaluation of a model version on a registered dataset version, run by the trainer. */
export const evaluationSchema = z.object({
  id: idSchema,
  model: resourceNameSchema,
  version: z.number().int().positive(),
  dataset: z.object({
    id: idSchema,
    name: resourceNameSchema,
    version: z.number().int().positive(),
  }),
  status: evaluationStatusSchema,
  /** Platform metrics once completed ({} before). */
  metrics: metricsSchema,
  /** Rows evaluated, once completed. */
  rows: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
  requestedBy: z.string(),
  /** The `train` principal that reported the metrics (null until completed). */
  completedBy: z.string().nullable(),
  createdAt: isoDateSchema,
  finishedAt: isoDateSchema.nullable(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Where a gate read a metric: platform-computed, claimed by a client, or nowhere. */
export const metricSourceSchema = z.enum(['platform', 'claimed', 'none']);
export type MetricSource = z.infer<typeof metricSourceSchema>;
