import {
  AppError,
  type JsonValue,
  type PipelineRun,
  type PipelineStepRun,
  type PipelineStepStatus,
} from '@mlops/contracts';
import { putCachedStep, updatePipelineRun, updatePipelineStep } from '@mlops/storage';
import { takeLiveCachedStep } from './cache-liveness';
import type { RegistryDeps } from '../../deps';
import { publishEvent } from '../events';
import { advanceRun } from './advance';
import { finishRun, getPipelineRecordOrThrow } from './runs';

type Outputs = Record<string, JsonValue>;
interface StepRef {
  runId: string;
  stepId: string;
}
const ENDED: ReadonlySet<PipelineStepStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
]);

async function load(deps: RegistryDeps, ref: StepRef) {
  const rec = await getPipelineRecordOrThrow(deps, ref.runId);
  const step = rec.run.steps.find((s) => s.stepId === ref.stepId);
  if (!step) {
    throw new AppError('NOT_FOUND', `pipeline run ${ref.runId} has no step ${ref.stepId}`);
  }
  return { rec, step };
}

async function stepEvent(
  deps: RegistryDeps,
  run: PipelineRun,
  step: string,
  status: PipelineStepStatus,
  cached = false,
) {
  await publishEvent(deps, {
    type: 'pipeline.step',
    runId: run.id,
    pipeline: run.pipeline,
    stepId: step,
    status,
    cached,
  });
}

async function markRunStarted(deps: RegistryDeps, run: PipelineRun, now: string) {
  if (run.status !== 'queued') return;
  if (
    await updatePipelineRun(deps.db, run.id, { status: 'running', started_at: now }, ['queued'])
  ) {
    await publishEvent(deps, {
      type: 'pipeline.run',
      runId: run.id,
      pipeline: run.pipeline,
      status: 'running',
    });
  }
}

async function fresh(deps: RegistryDeps, ref: StepRef): Promise<PipelineStepRun> {
  return (await load(deps, ref)).step;
}

/**
 * The worker takes a step (see contracts `pipelinesApi.claimStep`). A step already ended is
 * `done` and moves the run on again (a completion recorded just before a crash); a step of an
 * ended run is `stop`; a cache hit ends the step here, without the worker running it.
 */
export async function claimStep(
  deps: RegistryDeps,
  input: StepRef & { inputs: Outputs; cacheKey: string | null },
): Promise<{ action: 'run' | 'cached' | 'done' | 'stop'; step: PipelineStepRun }> {
  const { rec, step } = await load(deps, input);
  if (ENDED.has(step.status)) {
    await advanceRun(deps, input.runId);
    return { action: 'done', step };
  }
  if (rec.run.status !== 'queued' && rec.run.status !== 'running') return { action: 'stop', step };
  const now = new Date().toISOString();
  await markRunStarted(deps, rec.run, now);
  const hit =
    input.cacheKey && !rec.run.noCache
      ? await takeLiveCachedStep(deps, input.cacheKey, now)
      : undefined;
  if (hit) {
    await updatePipelineStep(
      deps.db,
      input.runId,
      input.stepId,
      {
        status: 'succeeded',
        cached: 1,
        cache_key: input.cacheKey,
        inputs_json: JSON.stringify(input.inputs),
        outputs_json: JSON.stringify(hit),
        error: null,
        started_at: now,
        finished_at: now,
      },
      ['queued', 'running'],
    );
    await stepEvent(deps, rec.run, input.stepId, 'succeeded', true);
    await advanceRun(deps, input.runId);
    return { action: 'cached', step: await fresh(deps, input) };
  }
  await updatePipelineStep(
    deps.db,
    input.runId,
    input.stepId,
    {
      status: 'running',
      attempts: step.attempts + 1,
      cache_key: input.cacheKey,
      inputs_json: JSON.stringify(input.inputs),
      error: null,
      started_at: step.startedAt ?? now,
    },
    ['queued', 'running'],
  );
  await stepEvent(deps, rec.run, input.stepId, 'running');
  return { action: 'run', step: await fresh(deps, input) };
}

export async function saveStepState(
  deps: RegistryDeps,
  input: StepRef & { state: Outputs },
): Promise<{ ok: true }> {
  const ok = await updatePipelineStep(
    deps.db,
    input.runId,
    input.stepId,
    { state_json: JSON.stringify(input.state) },
    ['running'],
  );
  if (!ok) throw new AppError('CONFLICT', `step ${input.stepId} of ${input.runId} is not running`);
  return { ok: true };
}

/** running → succeeded; the outputs enter the cache under the step's key. Idempotent. */
export async function completeStep(
  deps: RegistryDeps,
  input: StepRef & { outputs: Outputs },
): Promise<PipelineRun> {
  const { rec, step } = await load(deps, input);
  if (step.status === 'succeeded') return advanceRun(deps, input.runId);
  const now = new Date().toISOString();
  const ok = await updatePipelineStep(
    deps.db,
    input.runId,
    input.stepId,
    { status: 'succeeded', outputs_json: JSON.stringify(input.outputs), finished_at: now },
    ['running'],
  );
  if (!ok) {
    throw new AppError(
      'CONFLICT',
      `step ${input.stepId} of ${input.runId} is ${step.status}, not running`,
    );
  }
  if (step.cacheKey) {
    await putCachedStep(
      deps.db,
      {
        key: step.cacheKey,
        uses: step.uses,
        outputs: input.outputs,
        runId: input.runId,
        stepId: input.stepId,
      },
      now,
    );
  }
  await stepEvent(deps, rec.run, input.stepId, 'succeeded');
  return advanceRun(deps, input.runId);
}

/** A failed attempt: back to queued for BullMQ's retry, or (final) the step and run fail. */
export async function failStep(
  deps: RegistryDeps,
  input: StepRef & { error: string; final: boolean },
): Promise<PipelineRun> {
  const { rec, step } = await load(deps, input);
  if (ENDED.has(step.status)) return rec.run;
  const now = new Date().toISOString();
  const status = input.final ? 'failed' : 'queued';
  await updatePipelineStep(
    deps.db,
    input.runId,
    input.stepId,
    { status, error: input.error, ...(input.final ? { finished_at: now } : {}) },
    ['queued', 'running'],
  );
  await stepEvent(deps, rec.run, input.stepId, status);
  if (input.final) {
    await finishRun(deps, input.runId, 'failed', `step ${input.stepId} failed: ${input.error}`);
  }
  return (await getPipelineRecordOrThrow(deps, input.runId)).run;
}

/** queued → skipped (a false `when`); what depends on them is skipped by the advance. */
export async function skipSteps(
  deps: RegistryDeps,
  input: { runId: string; steps: { stepId: string; reason: string }[] },
): Promise<PipelineRun> {
  const rec = await getPipelineRecordOrThrow(deps, input.runId);
  const now = new Date().toISOString();
  await markRunStarted(deps, rec.run, now);
  for (const s of input.steps) {
    const ok = await updatePipelineStep(
      deps.db,
      input.runId,
      s.stepId,
      { status: 'skipped', error: s.reason, started_at: now, finished_at: now },
      ['queued', 'running'],
    );
    if (ok) await stepEvent(deps, rec.run, s.stepId, 'skipped');
  }
  return advanceRun(deps, input.runId);
}
