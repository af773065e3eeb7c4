import { z } from 'zod';
import { idSchema, resourceNameSchema } from '../names';
import {
  backendNameSchema,
  metricsSchema,
  runProgressSchema,
  runCurveSchema,
  runRowsSchema,
  runSchema,
  runStatusSchema,
  trainingSpecSchema,
} from '../training';
import { modelTestsSchema } from '../model-tests';
import { producedBySchema } from '../lineage';
import { listLimit } from './shared';

export const runsApi = {
  /**
   * `producedBy`: the pipeline step run creating this run (the `train` step); recorded for
   * lineage only while that step is running, else a 400 naming `producedBy.<field>`.
   */
  create: {
    mutation: true,
    input: trainingSpecSchema.extend({ producedBy: producedBySchema.optional() }),
    output: runSchema,
  },
  get: { mutation: false, input: z.object({ id: idSchema }), output: runSchema },
  list: {
    mutation: false,
    input: z.object({
      model: resourceNameSchema.optional(),
      status: runStatusSchema.optional(),
      limit: listLimit,
    }),
    output: z.array(runSchema),
  },
  /** Newest first, by model, status and/or a metric range; cursor `createdAt|id`. */
  search: {
    mutation: false,
    input: z.object({
      model: resourceNameSchema.optional(),
      status: runStatusSchema.optional(),
      metric: z
        .object({
          name: z.string().min(1).max(64),
          min: z.number().optional(),
          max: z.number().optional(),
        })
        .optional(),
      cursor: z
        .string()
        .regex(/^[0-9T:.+Z-]{10,40}\|[A-Za-z0-9_-]{8,64}$/, 'must be a nextCursor')
        .optional(),
      limit: listLimit,
    }),
    output: z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() }),
  },
  /**
   * Called by the trainer when it picks the job up. `start`, `progress`, `complete` and `fail`
   * need the `train` scope (the trainer's service token): a run's metrics become its version's
   * platform metrics, which promotion gates read, so no `write` token may report them.
   */
  start: {
    mutation: true,
    input: z.object({ id: idSchema, backend: backendNameSchema }),
    output: runSchema,
  },
  progress: {
    mutation: true,
    input: z.object({
      id: idSchema,
      progress: runProgressSchema,
      /**
       * The losses of every epoch since the last report that reached the registry (reports are
       * throttled, the curve is not): appended to the run's curve, replacing any stored epoch
       * at or after the first one sent (a resumed fit repeats epochs).
       */
      curve: runCurveSchema.optional(),
    }),
    output: z.object({ ok: z.literal(true) }),
  },
  /**
   * Registers nothing itself: the trainer creates the version first, then completes the run;
   * `metrics` (the held-out evaluation) are recorded as that version's platform metrics.
   * A sweep trial (a run with `parentRunId`) completes without a version: its parent registers
   * the best trial's bundle.
   */
  complete: {
    mutation: true,
    input: z.object({
      id: idSchema,
      metrics: metricsSchema,
      version: z.number().int().positive().optional(),
      /** Rows trained on and dropped (null target): stored on the run. */
      rows: runRowsSchema.optional(),
      /** The model tests run on the held-out split: stored on the version (not for trials). */
      modelTests: modelTestsSchema.optional(),
    }),
    output: runSchema,
  },
  fail: {
    mutation: true,
    input: z.object({ id: idSchema, error: z.string().max(4_000) }),
    output: runSchema,
  },
  /**
   * Queued or running → cancelled: removes a waiting job from the queue and publishes
   * `run.cancelled`, on which the trainer stops within one batch. Its checkpoint is deleted.
   */
  cancel: {
    mutation: true,
    input: z.object({ id: idSchema, reason: z.string().max(1_000).optional() }),
    output: runSchema,
  },
} as const;
