import {
  PIPELINE_JOB_OPTIONS,
  QUEUE_NAMES,
  pipelineStepJobId,
  type PipelineDefinition,
} from '@mlops/contracts';
import type { RegistryDeps } from '../../deps';
import { queueOf } from '../../queues';

/**
 * Enqueues steps of a run. Job id = `<run>.<step>`: enqueuing a step that already has a job
 * (two parents finishing together, a redelivered completion) adds nothing.
 */
export async function enqueueSteps(
  deps: RegistryDeps,
  runId: string,
  definition: PipelineDefinition,
  stepIds: string[],
): Promise<void> {
  const queue = queueOf(deps, QUEUE_NAMES.pipeline);
  for (const stepId of stepIds) {
    const step = definition.steps.find((s) => s.id === stepId);
    await queue.add(
      QUEUE_NAMES.pipeline,
      { runId, stepId },
      {
        ...PIPELINE_JOB_OPTIONS,
        attempts: (step?.retries ?? 0) + 1,
        jobId: pipelineStepJobId(runId, stepId),
      },
    );
  }
}

/** Removes the waiting jobs of cancelled steps; an active job learns from its claim. */
export async function removeStepJobs(
  deps: RegistryDeps,
  runId: string,
  stepIds: string[],
): Promise<void> {
  const queue = queueOf(deps, QUEUE_NAMES.pipeline);
  for (const stepId of stepIds) {
    try {
      const job = await queue.getJob(pipelineStepJobId(runId, stepId));
      if (job && !(await job.isActive())) await job.remove();
    } catch (err) {
      deps.logger.warn({ err, runId, stepId }, 'could not remove a cancelled pipeline step job');
    }
  }
}
