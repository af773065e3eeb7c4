import { z } from 'zod';
import { idSchema, resourceNameSchema, sha256Schema } from '../names';
import { jsonValueSchema, pipelineDefinitionSchema, pipelineStepIdSchema } from '../pipeline';
import {
  pipelineRunSchema,
  pipelineRunStatusSchema,
  pipelineStepRunSchema,
  pipelineTriggerSchema,
  storedPipelineSchema,
} from '../pipeline-run';
import { pipelineScheduleInfoSchema } from '../pipeline-triggers';
import { listLimit } from './shared';

const stepRef = { runId: idSchema, stepId: pipelineStepIdSchema };
const outputs = z.record(z.string().min(1).max(64), jsonValueSchema);

/**
 * Pipelines (see docs/pipelines.md). Registering a definition needs `write` (and what running
 * it needs when it declares triggers in `on`: they start runs on its behalf); starting and
 * cancelling runs needs `train` (a run trains and may move aliases through its steps, each
 * step checked again by the procedure it calls); reads need `read`. The step procedures
 * (`claimStep` … `skipSteps`) are the pipeline worker's, scope `train`.
 */
export const pipelinesApi = {
  /** Stores the definition under its name; a changed definition gets the next version. */
  register: {
    mutation: true,
    input: z.object({ definition: pipelineDefinitionSchema }),
    output: storedPipelineSchema,
  },
  list: {
    mutation: false,
    input: z.object({ limit: listLimit }).default({ limit: 100 }),
    output: z.array(storedPipelineSchema),
  },
  get: {
    mutation: false,
    input: z.object({ name: resourceNameSchema }),
    output: storedPipelineSchema,
  },
  /**
   * Starts a run of the registered pipeline: parameters are checked (400 naming
   * `parameters.<name>`), step rows created, the first steps enqueued. With a trigger `key`
   * that already started a run, answers that run instead of starting another.
   */
  run: {
    mutation: true,
    input: z.object({
      name: resourceNameSchema,
      parameters: z.record(z.string().max(64), jsonValueSchema).default({}),
      /** Run every step even when the cache holds its outputs. */
      noCache: z.boolean().default(false),
      trigger: pipelineTriggerSchema.default({ kind: 'manual' }),
    }),
    output: pipelineRunSchema,
  },
  /** Newest first. */
  runs: {
    mutation: false,
    input: z.object({
      pipeline: resourceNameSchema.optional(),
      status: pipelineRunStatusSchema.optional(),
      limit: listLimit,
    }),
    output: z.array(pipelineRunSchema),
  },
  /** The schedules of the pipelines' latest versions, soonest first, with their next tick. */
  schedules: {
    mutation: false,
    input: z.object({ pipeline: resourceNameSchema.optional() }).default({}),
    output: z.array(pipelineScheduleInfoSchema),
  },
  getRun: { mutation: false, input: z.object({ id: idSchema }), output: pipelineRunSchema },
  /** Queued or running → cancelled; queued steps are cancelled and their jobs removed. */
  cancel: {
    mutation: true,
    input: z.object({ id: idSchema, reason: z.string().max(1_000).optional() }),
    output: pipelineRunSchema,
  },
  /**
   * The worker takes a step: `run` (now running, attempts + 1), `cached` (the cache held its
   * key: now succeeded from the cache, outputs in `step`), `done` (already finished: a
   * redelivered job does nothing) or `stop` (the run was cancelled or failed).
   */
  claimStep: {
    mutation: true,
    input: z.object({
      ...stepRef,
      inputs: outputs,
      /** null: not cacheable (never-cached kind, `cache: false`). */
      cacheKey: sha256Schema.nullable(),
    }),
    output: z.object({
      action: z.enum(['run', 'cached', 'done', 'stop']),
      step: pipelineStepRunSchema,
    }),
  },
  /** Saves what a running step needs to resume instead of repeating itself. */
  saveStepState: {
    mutation: true,
    input: z.object({ ...stepRef, state: outputs }),
    output: z.object({ ok: z.literal(true) }),
  },
  /** Running → succeeded; its outputs enter the cache under its key. Answers the run. */
  completeStep: {
    mutation: true,
    input: z.object({ ...stepRef, outputs }),
    output: pipelineRunSchema,
  },
  /** `final`: the step failed for good and so does the run; else it goes back to queued. */
  failStep: {
    mutation: true,
    input: z.object({ ...stepRef, error: z.string().max(4_000), final: z.boolean() }),
    output: pipelineRunSchema,
  },
  /**
   * A step run outside a registry run (the Argo step command) reads the step cache: the stored
   * outputs of `key` (counting the hit), or null on a miss.
   */
  cacheLookup: {
    mutation: true,
    input: z.object({ key: sha256Schema }),
    output: z.object({ outputs: outputs.nullable() }),
  },
  /** …and fills it: a key already stored keeps its first outputs. `runKey`: the Argo run. */
  cacheStore: {
    mutation: true,
    input: z.object({
      key: sha256Schema,
      uses: z.string().min(1).max(128),
      outputs,
      runKey: z.string().min(1).max(200),
      stepId: pipelineStepIdSchema,
    }),
    output: z.object({ ok: z.literal(true) }),
  },
  /** Queued → skipped (a false `when`, or a dependency that did not succeed). */
  skipSteps: {
    mutation: true,
    input: z.object({
      runId: idSchema,
      steps: z
        .array(z.object({ stepId: pipelineStepIdSchema, reason: z.string().max(500) }))
        .min(1)
        .max(50),
    }),
    output: pipelineRunSchema,
  },
} as const;
