import { z } from 'zod';
import { evaluationSchema } from '../evaluation';
import { idSchema, resourceNameSchema } from '../names';
import { metricsSchema } from '../training';
import { listLimit, versionNumber } from './shared';

/**
 * Re-evaluations of model versions (requested with `versions.evaluate`). Reads need `read` like
 * every registry read; `start`, `complete` and `fail` are the trainer's (scope `train`): what
 * `complete` records becomes the version's platform metrics.
 */
export const evaluationsApi = {
  get: { mutation: false, input: z.object({ id: idSchema }), output: evaluationSchema },
  /** Newest first, of one model (and version). */
  list: {
    mutation: false,
    input: z.object({
      model: resourceNameSchema,
      version: versionNumber.optional(),
      limit: listLimit,
    }),
    output: z.array(evaluationSchema),
  },
  start: {
    mutation: true,
    input: z.object({ id: idSchema }).strict(),
    output: evaluationSchema,
  },
  complete: {
    mutation: true,
    input: z
      .object({ id: idSchema, metrics: metricsSchema, rows: z.number().int().nonnegative() })
      .strict(),
    output: evaluationSchema,
  },
  fail: {
    mutation: true,
    input: z.object({ id: idSchema, error: z.string().max(4_000) }).strict(),
    output: evaluationSchema,
  },
} as const;
