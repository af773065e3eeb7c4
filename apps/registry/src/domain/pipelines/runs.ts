import { randomUUID } from 'node:crypto';
import {
  AppError,
  resolvePipelineParameters,
  type JsonValue,
  type PipelineRun,
  type PipelineRunStatus,
  type PipelineTrigger,
} from '@mlops/contracts';
import {
  findPipelineRunByTrigger,
  getPipelineRun,
  insertPipelineRun,
  listPipelineRuns,
  updatePipelineRun,
  updatePipelineStep,
  writeTransaction,
  type PipelineRunRecord,
} from '@mlops/storage';
import type { Principal } from '@mlops/contracts';
import { requireScope } from '../../auth';
import type { RegistryDeps } from '../../deps';
import { publishEvent } from '../events';
import { getPipelineOrThrow } from './definitions';
import { advanceRun } from './advance';
import { removeStepJobs } from './queue';

export interface StartPipelineRun {
  name: string;
  parameters: Record<string, JsonValue>;
  noCache: boolean;
  trigger: PipelineTrigger;
}

/**
 * Starts a run of a registered pipeline: parameters checked (400 naming the parameter), one
 * row per step, the first steps enqueued. A trigger key already used answers its run.
 */
export async function startPipelineRun(
  deps: RegistryDeps,
  input: StartPipelineRun,
  principal: Principal,
): Promise<PipelineRun> {
  const stored = await getPipelineOrThrow(deps, input.name);
  // The worker moves aliases with its own token: a caller who may not cannot use it to.
  if (stored.definition.steps.some((s) => s.uses === 'set-alias')) {
    requireScope(principal, 'promote', `pipeline ${input.name} (it moves aliases)`);
  }
  const params = resolvePipelineParameters(stored.definition, input.parameters);
  if (!params.ok) {
    throw new AppError(
      'VALIDATION_FAILED',
      `bad parameters for pipeline ${input.name}: ${params.issues.join('; ')}`,
      params.issues.map((i) => ({ path: i.split(':')[0], message: i.slice(i.indexOf(':') + 2) })),
    );
  }
  const key = input.trigger.key;
  if (key) {
    const existing = await findPipelineRunByTrigger(deps.db, key);
    if (existing) return getPipelineRunOrThrow(deps, existing);
  }
  const id = randomUUID();
  const now = new Date().toISOString();
  const def = stored.definition;
  try {
    await writeTransaction(deps.db, (trx) =>
      insertPipelineRun(trx, {
        id,
        definition: def,
        pipelineVersion: stored.version,
        parameters: params.value,
        trigger: { ...input.trigger, key: key ?? null },
        noCache: Boolean(input.noCache),
        createdBy: principal.name,
        createdAt: now,
      }),
    );
  } catch (err) {
    // Two triggers of one window racing: the loser answers the winner's run.
    const winner = key ? await findPipelineRunByTrigger(deps.db, key) : undefined;
    if (winner) return getPipelineRunOrThrow(deps, winner);
    throw err;
  }
  await publishEvent(deps, {
    type: 'pipeline.run',
    runId: id,
    pipeline: def.name,
    status: 'queued',
  });
  try {
    return await advanceRun(deps, id);
  } catch (err) {
    deps.logger.error({ err, runId: id }, 'could not enqueue the first pipeline steps');
    await finishRun(deps, id, 'failed', 'could not enqueue the first steps: is Redis reachable?');
    throw new AppError(
      'UNAVAILABLE',
      'could not enqueue the pipeline steps: is Redis reachable? Try again',
    );
  }
}

export async function getPipelineRecordOrThrow(
  deps: RegistryDeps,
  id: string,
): Promise<PipelineRunRecord> {
  const rec = await getPipelineRun(deps.db, id);
  if (!rec) throw new AppError('NOT_FOUND', `pipeline run ${id} does not exist`);
  return rec;
}

export async function getPipelineRunOrThrow(deps: RegistryDeps, id: string): Promise<PipelineRun> {
  return (await getPipelineRecordOrThrow(deps, id)).run;
}

export function listRuns(
  deps: RegistryDeps,
  opts: { pipeline?: string | undefined; status?: string | undefined; limit: number },
): Promise<PipelineRun[]> {
  return listPipelineRuns(deps.db, {
    limit: opts.limit,
    ...(opts.pipeline ? { pipeline: opts.pipeline } : {}),
    ...(opts.status ? { status: opts.status } : {}),
  });
}

/**
 * Ends a run that is still queued or running: its queued and running steps become cancelled
 * and their waiting jobs are removed. A running step stops at its next check (the train step
 * cancels its training run). False when the run had already ended.
 */
export async function finishRun(
  deps: RegistryDeps,
  id: string,
  status: Exclude<PipelineRunStatus, 'queued' | 'running'>,
  error: string | null,
): Promise<boolean> {
  const now = new Date().toISOString();
  const changed = await updatePipelineRun(deps.db, id, { status, error, finished_at: now }, [
    'queued',
    'running',
  ]);
  if (!changed) return false;
  const rec = await getPipelineRecordOrThrow(deps, id);
  const open = rec.run.steps.filter((s) => s.status === 'queued' || s.status === 'running');
  for (const s of open) {
    const ok = await updatePipelineStep(
      deps.db,
      id,
      s.stepId,
      { status: 'cancelled', finished_at: now, error: `run ${status}` },
      ['queued', 'running'],
    );
    if (ok) {
      await publishEvent(deps, {
        type: 'pipeline.step',
        runId: id,
        pipeline: rec.run.pipeline,
        stepId: s.stepId,
        status: 'cancelled',
        cached: false,
      });
    }
  }
  await removeStepJobs(
    deps,
    id,
    open.map((s) => s.stepId),
  );
  await publishEvent(deps, { type: 'pipeline.run', runId: id, pipeline: rec.run.pipeline, status });
  return true;
}

export async function cancelPipelineRun(
  deps: RegistryDeps,
  id: string,
  reason: string | undefined,
): Promise<PipelineRun> {
  const rec = await getPipelineRecordOrThrow(deps, id);
  if (rec.run.status !== 'queued' && rec.run.status !== 'running') {
    throw new AppError('CONFLICT', `pipeline run ${id} is ${rec.run.status}: nothing to cancel`);
  }
  await finishRun(deps, id, 'cancelled', reason ?? 'cancelled');
  return getPipelineRunOrThrow(deps, id);
}
