import { z } from 'zod';
import { idSchema, isoDateSchema, resourceNameSchema, sha256Schema } from './names';
import {
  jsonValueSchema,
  pipelineDefinitionSchema,
  pipelineStepIdSchema,
  type JsonValue,
  type PipelineDefinition,
} from './pipeline';

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
    kind: z.enum(['manual', 'schedule', 'dataset', 'drift']),
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

/**
 * The run's parameters: the given ones checked against the declared types (CLI strings such as
 * `--param epochs=20` are coerced), defaults filled in. Issues name `parameters.<name>`.
 */
export function resolvePipelineParameters(
  def: PipelineDefinition,
  given: Record<string, unknown>,
): { ok: true; value: Record<string, JsonValue> } | { ok: false; issues: string[] } {
  const issues: string[] = [];
  const value: Record<string, JsonValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(def.parameters, name)) issues.push(`parameters.${name}: unknown parameter`);
  }
  for (const [name, spec] of Object.entries(def.parameters)) {
    const raw = Object.hasOwn(given, name) ? given[name] : spec.default;
    const at = `parameters.${name}`;
    if (raw === undefined) {
      issues.push(`${at}: required (no default)`);
      continue;
    }
    if (spec.type === 'string') {
      if (typeof raw !== 'string') issues.push(`${at}: must be a string`);
      else if (spec.enum && !spec.enum.includes(raw)) {
        issues.push(`${at}: must be one of ${spec.enum.join(', ')}`);
      } else value[name] = raw;
    } else if (spec.type === 'boolean') {
      const b = raw === 'true' ? true : raw === 'false' ? false : raw;
      if (typeof b !== 'boolean') issues.push(`${at}: must be true or false`);
      else value[name] = b;
    } else {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) issues.push(`${at}: must be a number`);
      else if (spec.type === 'integer' && !Number.isInteger(n)) {
        issues.push(`${at}: must be an integer`);
      } else if (spec.min !== undefined && n < spec.min)
        issues.push(`${at}: must be >= ${spec.min}`);
      else if (spec.max !== undefined && n > spec.max) issues.push(`${at}: must be <= ${spec.max}`);
      else value[name] = n;
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, value };
}

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
