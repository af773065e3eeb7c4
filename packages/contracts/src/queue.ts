import { z } from 'zod';
import { idSchema } from './names';

export const QUEUE_NAMES = {
  train: 'train',
  /** Re-evaluation of a model version on a registered dataset (platform metrics). */
  evaluate: 'evaluate',
  /** One job per pipeline step (see pipeline-run.ts). */
  pipeline: 'pipeline',
  /** Ticks of pipelines' `on.schedule`, consumed by the registry (pipeline-triggers.ts). */
  pipelineSchedule: 'pipeline-schedule',
} as const;

/** Payload of a `train` job: the run row in the registry holds the spec; the job only names it. */
export const trainJobPayloadSchema = z.object({
  runId: idSchema,
});
export type TrainJobPayload = z.infer<typeof trainJobPayloadSchema>;

/**
 * Default options for `train` jobs, in one place (langfuse style). Job id = run id so a run is
 * never enqueued twice. Transient failures retry with exponential backoff; bad input is thrown
 * as an UnrecoverableError by the worker and is not retried.
 */
export const TRAIN_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/** Payload of an `evaluate` job: the evaluation row in the registry says what to evaluate. */
export const evaluateJobPayloadSchema = z.object({
  evaluationId: idSchema,
});
export type EvaluateJobPayload = z.infer<typeof evaluateJobPayloadSchema>;

/** `evaluate` jobs: job id = evaluation id; a failed evaluation is re-requested, not retried long. */
export const EVALUATE_JOB_OPTIONS = {
  attempts: 2,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;
