import { z } from 'zod';
import { aliasNameSchema, idSchema, isoDateSchema, resourceNameSchema } from './names';
import { metricsSchema, runProgressSchema } from './training';

const envelope = {
  /** Unique event id (for deduplication by consumers and webhooks). */
  id: z.string().min(1).max(64),
  at: isoDateSchema,
};

/** Every event the platform publishes on the Redis channel `keys.events`, one JSON object each. */
export const platformEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...envelope,
    type: z.literal('dataset.created'),
    dataset: resourceNameSchema,
    datasetId: idSchema,
    version: z.number().int(),
    hash: z.string(),
  }),
  z.object({
    ...envelope,
    type: z.literal('run.queued'),
    runId: idSchema,
    model: resourceNameSchema,
  }),
  z.object({
    ...envelope,
    type: z.literal('run.started'),
    runId: idSchema,
    model: resourceNameSchema,
    backend: z.string(),
  }),
  z.object({
    ...envelope,
    type: z.literal('run.progress'),
    runId: idSchema,
    model: resourceNameSchema,
    progress: runProgressSchema,
  }),
  z.object({
    ...envelope,
    type: z.literal('run.completed'),
    runId: idSchema,
    model: resourceNameSchema,
    version: z.number().int(),
    metrics: metricsSchema,
  }),
  z.object({
    ...envelope,
    type: z.literal('run.failed'),
    runId: idSchema,
    model: resourceNameSchema,
    error: z.string(),
  }),
  z.object({
    ...envelope,
    type: z.literal('run.cancelled'),
    runId: idSchema,
    model: resourceNameSchema,
  }),
  z.object({
    ...envelope,
    type: z.literal('version.created'),
    model: resourceNameSchema,
    version: z.number().int(),
    runId: idSchema.nullable(),
  }),
  z.object({
    ...envelope,
    type: z.literal('alias.moved'),
    model: resourceNameSchema,
    alias: aliasNameSchema,
    /** null when the alias was created / deleted. */
    from: z.number().int().nullable(),
    to: z.number().int().nullable(),
  }),
  z.object({
    ...envelope,
    type: z.literal('drift.detected'),
    model: resourceNameSchema,
    version: z.number().int(),
    driftedColumns: z.array(z.string()),
    share: z.number(),
  }),
  z.object({
    ...envelope,
    type: z.literal('retraining.requested'),
    model: resourceNameSchema,
    reason: z.string(),
    runId: idSchema.nullable(),
  }),
  z.object({
    ...envelope,
    type: z.literal('quality.degraded'),
    model: resourceNameSchema,
    version: z.number().int(),
    metric: z.string(),
    value: z.number(),
    threshold: z.number(),
  }),
  z.object({
    ...envelope,
    type: z.literal('pipeline.run'),
    runId: idSchema,
    pipeline: resourceNameSchema,
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  }),
  z.object({
    ...envelope,
    type: z.literal('pipeline.step'),
    runId: idSchema,
    pipeline: resourceNameSchema,
    stepId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'skipped']),
    cached: z.boolean(),
  }),
  z.object({
    ...envelope,
    type: z.literal('retraining.finished'),
    model: resourceNameSchema,
    runId: idSchema,
    version: z.number().int().nullable(),
    /** True when the alias moved; false when the gate refused or the run failed. */
    promoted: z.boolean(),
    detail: z.string().nullable(),
  }),
]);
export type PlatformEvent = z.infer<typeof platformEventSchema>;
export type PlatformEventType = PlatformEvent['type'];
/** An event before the publisher stamps `id` and `at`. */
export type PlatformEventInput = PlatformEvent extends infer E
  ? E extends PlatformEvent
    ? Omit<E, 'id' | 'at'>
    : never
  : never;
