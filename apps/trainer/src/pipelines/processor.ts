import { UnrecoverableError, type Job } from 'bullmq';
import type { RegistryClient } from '@mlops/client';
import type { Logger } from '@mlops/config';
import {
  conditionsHold,
  pipelineJobPayloadSchema,
  resolveValue,
  type PipelineJobPayload,
  type PipelineRun,
} from '@mlops/contracts';
import { cacheKeyOf, implOf } from './step-kit';
import { StepCancelledError, StepInputError, type StepImpl, type StepOutputs } from './steps/types';

export interface PipelineProcessorDeps {
  client: RegistryClient;
  logger: Logger;
  dataDir: string;
  /** `custom/<name>` steps of this worker, beside the built-in ones of steps/custom.ts. */
  customSteps?: Record<string, StepImpl>;
}

/**
 * One `pipeline` job = one step of one run. The registry decides (claimStep) whether it runs,
 * is served from the cache, or was done already; the step's end is recorded in the registry,
 * which enqueues the next steps. Bad inputs fail the step for good; other errors are retried
 * by BullMQ up to the step's `retries`.
 */
export function createPipelineProcessor(deps: PipelineProcessorDeps) {
  const api = deps.client.api.pipelines;
  const custom = deps.customSteps ?? {};
  return async (job: Job<PipelineJobPayload>): Promise<{ action: string }> => {
    const { runId, stepId } = pipelineJobPayloadSchema.parse(job.data);
    const run = await api.getRun.query({ id: runId });
    const step = run.definition.steps.find((s) => s.id === stepId);
    const row = run.steps.find((s) => s.stepId === stepId);
    if (!step || !row) throw new UnrecoverableError(`run ${runId} has no step ${stepId}`);
    if (row.status !== 'queued' && row.status !== 'running') {
      // Ended already (a job redelivered after a crash): let the registry move the run on.
      const { action } = await api.claimStep.mutate({ runId, stepId, inputs: {}, cacheKey: null });
      return { action };
    }
    const scope = {
      params: run.parameters,
      outputs: Object.fromEntries(run.steps.map((s) => [s.stepId, s.outputs])),
    };
    let inputs: StepOutputs;
    let impl: StepImpl;
    let cacheKey: string | null;
    try {
      if (!conditionsHold(step, scope)) {
        await api.skipSteps.mutate({ runId, steps: [{ stepId, reason: 'when: condition false' }] });
        return { action: 'skipped' };
      }
      inputs = resolveValue(step.with, scope) as StepOutputs;
      impl = implOf(step.uses, custom);
      cacheKey = await cacheKeyOf(step, impl, inputs, deps);
    } catch (err) {
      return failFor(deps, run, stepId, err, job, true);
    }
    const claim = await api.claimStep.mutate({ runId, stepId, inputs, cacheKey });
    if (claim.action !== 'run') return { action: claim.action };
    deps.logger.info(
      { runId, stepId, uses: step.uses, attempt: claim.step.attempts },
      'pipeline step running',
    );
    try {
      const outputs = await impl.run({
        client: deps.client,
        inputs,
        state: claim.step.state,
        saveState: async (state) => {
          await api.saveStepState.mutate({ runId, stepId, state });
        },
        cancelled: async () => (await api.getRun.query({ id: runId })).status === 'cancelled',
        dataDir: deps.dataDir,
        logger: deps.logger,
        runId,
        stepId,
        producer: { pipelineRunId: runId, stepId },
      });
      await api.completeStep.mutate({ runId, stepId, outputs });
      return { action: 'ran' };
    } catch (err) {
      return failFor(deps, run, stepId, err, job, false);
    }
  };
}

async function failFor(
  deps: PipelineProcessorDeps,
  run: PipelineRun,
  stepId: string,
  err: unknown,
  job: Job,
  forceFinal: boolean,
): Promise<never> {
  const message = err instanceof Error ? err.message : String(err);
  const unrecoverable =
    forceFinal || err instanceof StepInputError || err instanceof StepCancelledError;
  const final = unrecoverable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  deps.logger.warn({ runId: run.id, stepId, final, err: message }, 'pipeline step failed');
  await deps.client.api.pipelines.failStep.mutate({
    runId: run.id,
    stepId,
    error: message.slice(0, 4_000),
    final,
  });
  throw unrecoverable ? new UnrecoverableError(message) : err;
}
