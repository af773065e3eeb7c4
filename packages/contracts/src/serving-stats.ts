import { z } from 'zod';
import { aliasNameSchema, isoDateSchema, resourceNameSchema } from './names';

/** Quantiles of a latency histogram, in milliseconds; null until something was measured. */
export const latencyQuantilesSchema = z.object({
  p50: z.number().nonnegative().nullable(),
  p99: z.number().nonnegative().nullable(),
  count: z.number().int().nonnegative(),
});
export type LatencyQuantiles = z.infer<typeof latencyQuantilesSchema>;

/** Counters of one model version (or all of them), cumulative since serving started. */
export const servingCountersSchema = z.object({
  /** Inference requests answered with predictions (every protocol). */
  requests: z.number().int().nonnegative(),
  /** Inference requests that reached a model and failed. */
  failures: z.number().int().nonnegative(),
  /** Rows run through the model (Triton inference count). */
  rows: z.number().int().nonnegative(),
  /** Batched predict calls (Triton execution count); rows / batches = mean batch size. */
  batches: z.number().int().nonnegative(),
  /** Time requests waited for their batch to start. */
  queueMs: latencyQuantilesSchema,
  /** Time one batch spent in encode + predict + decode. */
  computeMs: latencyQuantilesSchema,
});
export type ServingCounters = z.infer<typeof servingCountersSchema>;

/**
 * `GET /v1/models/{m}/stats` of serving: how its traffic is routed (canary weights, shadow) and
 * what it has answered. Counters are cumulative: a client polls and takes differences for rates.
 */
export const servingStatsSchema = z.object({
  model: resourceNameSchema,
  /** The alias serving follows (SERVING_ALIAS). */
  alias: aliasNameSchema,
  servedVersion: z.number().int().positive().nullable(),
  /** Weighted split of requests that name only the model; one entry (the followed alias) when none is configured. */
  routes: z.array(
    z.object({
      alias: aliasNameSchema,
      weight: z.number().int().nonnegative(),
      /** weight / total weight, 0..1. */
      share: z.number().min(0).max(1),
      /** Requests the split sent to this alias so far. */
      requests: z.number().int().nonnegative(),
    }),
  ),
  /** True when SERVING_ROUTES configures a split for this model. */
  canary: z.boolean(),
  shadow: z
    .union([
      z.object({ alias: aliasNameSchema }),
      z.object({ version: z.number().int().positive() }),
    ])
    .nullable(),
  total: servingCountersSchema,
  versions: z.array(servingCountersSchema.extend({ version: z.number().int().positive() })),
  computedAt: isoDateSchema,
});
export type ServingStats = z.infer<typeof servingStatsSchema>;
