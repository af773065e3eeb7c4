import { z } from 'zod';
import { idSchema, isoDateSchema, resourceNameSchema, sha256Schema } from './names';
import { jsonValueSchema, pipelineDefinitionSchema, pipelineStepIdSchema } from './pipeline';

/** A registered pipeline: the definition, numbered per name each time its content changes. */
export const storedPipelineSchema = z.object({
  name: resourceNameSchema,
  version: z.number().int().positive(),
  /** sha256 of the canonical JSON of the definition. */
  sha256: sha256Schema,
  definition: pipelineDefinitionSchema,
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type StoredPipeline = z.infer<typeof storedPipelineSchema>;

export const pipelineRunStatusSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);
export type PipelineRunStatus = z.infer<typeof pipelineRunStatusSchema>;
export const pipelineStepStatusSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
]);
export type PipelineStepStatus = z.infer<typeof pipelineStepStatusSchema>;

/** What started a run; `key` deduplicates (one run per key, e.g. per drift cooldown window). */
export const pipelineTriggerSchema = z
  .object({
    /** `quality`: the monitor's live-quality alert (before it, quality drops were `drift`). */
    kind: z.enum(['manual', 'schedule', 'dataset', 'drift', 'quality']),
    detail: z.string().max(500).optional(),
    key: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be 1-200 of letters, digits, ".", "_", ":", "-"')
      .optional(),
  })
  .strict();
export type PipelineTrigger = z.infer<typeof pipelineTriggerSchema>;

/** Step inputs, outputs and state: JSON objects. */
export const pipelineOutputsSchema = z.record(z.string(), jsonValueSchema);
const outputsSchema = pipelineOutputsSchema;

export const pipelineStepRunSchema = z.object({
  runId: idSchema,
  stepId: pipelineStepIdSchema,
  uses: z.string(),
  status: pipelineStepStatusSchema,
  /** True when the outputs came from the step cache instead of running the step. */
  cached: z.boolean(),
  cacheKey: sha256Schema.nullable(),
  /** The resolved inputs the step ran (or was served from the cache) with. */
  inputs: outputsSchema.nullable(),
  outputs: outputsSchema.nullable(),
  /**
   * What a running step saved to resume instead of repeating itself after a worker died
   * (the train step keeps the training run's id here).
   */
  state: outputsSchema.nullable(),
  attempts: z.number().int().nonnegative(),
  error: z.string().nullable(),
  startedAt: isoDateSchema.nullable(),
  finishedAt: isoDateSchema.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
});
export type PipelineStepRun = z.infer<typeof pipelineStepRunSchema>;

export const pipelineRunSchema = z.object({
  id: idSchema,
  pipeline: resourceNameSchema,
  pipelineVersion: z.number().int().positive(),
  status: pipelineRunStatusSchema,
  parameters: z.record(z.string(), jsonValueSchema),
  trigger: pipelineTriggerSchema,
  noCache: z.boolean(),
  error: z.string().nullable(),
  createdAt: isoDateSchema,
  startedAt: isoDateSchema.nullable(),
  finishedAt: isoDateSchema.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  /** The definition the run started with (re-registering the pipeline does not change it). */
  definition: pipelineDefinitionSchema,
  /** In definition order. */
  steps: z.array(pipelineStepRunSchema),
});
export type PipelineRun = z.infer<typeof pipelineRunSchema>;

export { resolvePipelineParameters } from './pipeline-params';

/** Payload of a `pipeline` job: one step of one run. */
export const pipelineJobPayloadSchema = z.object({ runId: idSchema, stepId: pipelineStepIdSchema });
export type PipelineJobPayload = z.infer<typeof pipelineJobPayloadSchema>;

/**
 * Job id of a step: enqueuing the same step twice (two parents finishing at once, a retry of
 * the enqueuer) adds one job. `.` separates because BullMQ refuses custom ids with one `:`,
 * and neither run ids nor step ids contain a dot.
 */
export function pipelineStepJobId(runId: string, stepId: string): string {
  return `${runId}.${stepId}`;
}

/** `pipeline` jobs; `attempts` is set per step from its `retries`. */
export const PIPELINE_JOB_OPTIONS = {
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;
