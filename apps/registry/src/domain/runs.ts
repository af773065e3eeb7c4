import { randomUUID } from 'node:crypto';
import {
  AppError,
  QUEUE_NAMES,
  TRAIN_JOB_OPTIONS,
  MAX_CURVE_EPOCHS,
  type BackendName,
  type EpochLoss,
  type Metrics,
  type ModelTests,
  type Run,
  type RunProgress,
  type RunRows,
  type RunStatus,
  type TrainingSpec,
} from '@mlops/contracts';
import {
  deleteRun,
  getRun,
  getVersion,
  insertRun,
  listChildRuns,
  listRuns,
  setModelTests,
  setPlatformMetrics,
  updateRunIf,
} from '@mlops/storage';
import type { Principal } from '../auth';
import type { RegistryDeps } from '../deps';
import { getDataset } from './datasets/queries';
import { publishEvent } from './events';
import { checkSpecAgainstDataset } from './run-spec';
import { checkTrainingPolicy } from './datasets/validation';
import { pinTransferBase } from './run-transfer';
import { createSweepRuns } from './sweeps';

/** Create a queued run for `spec` and enqueue its training job (job id = run id). */
export async function createRun(deps: RegistryDeps, asked: TrainingSpec): Promise<Run> {
  const dataset = await getDataset(deps, asked.dataset.name, asked.dataset.version);
  checkSpecAgainstDataset(asked, dataset);
  await checkTrainingPolicy(deps, dataset);
  const spec = await pinTransferBase(deps, asked, dataset);
  const now = new Date().toISOString();
  const row: Run = {
    id: randomUUID(),
    modelName: spec.modelName,
    // Pin the resolved version so a retry trains on the same data even if a newer one appears.
    spec: { ...spec, dataset: { name: dataset.name, version: dataset.version } },
    datasetId: dataset.id,
    datasetHash: dataset.hash,
    status: 'queued',
    progress: null,
    metrics: {},
    backend: null,
    error: null,
    modelVersion: null,
    rows: null,
    curve: [],
    createdAt: now,
    startedAt: null,
    finishedAt: null,
  };
  if (spec.sweep) {
    const parent = await createSweepRuns(deps, row, spec.sweep);
    await publishEvent(deps, { type: 'run.queued', runId: parent.id, model: parent.modelName });
    return (await getRun(deps.db, parent.id)) ?? parent;
  }
  const run = await insertRun(deps.db, row);
  try {
    await deps.queue.add(
      QUEUE_NAMES.train,
      { runId: run.id },
      { ...TRAIN_JOB_OPTIONS, jobId: run.id },
    );
  } catch (err) {
    // A run that no worker will ever see would sit in "queued" forever: undo it.
    await deleteRun(deps.db, run.id);
    deps.logger.error({ err, runId: run.id }, 'could not enqueue training job');
    throw new AppError(
      'UNAVAILABLE',
      'could not enqueue the training job: is Redis reachable? Try again',
    );
  }
  await publishEvent(deps, { type: 'run.queued', runId: run.id, model: run.modelName });
  return run;
}

export async function getRunOrThrow(deps: RegistryDeps, id: string): Promise<Run> {
  const run = await getRun(deps.db, id);
  if (!run) throw new AppError('NOT_FOUND', `run ${id} does not exist`);
  return run;
}

export function listRunsFor(
  deps: RegistryDeps,
  opts: { model?: string; status?: RunStatus; limit: number },
): Promise<Run[]> {
  return listRuns(deps.db, opts);
}

/** Apply a status transition, or explain why the run is not in a state that allows it. */
async function transition(
  deps: RegistryDeps,
  id: string,
  from: readonly RunStatus[],
  patch: Parameters<typeof updateRunIf>[3],
  action: string,
): Promise<Run> {
  const updated = await updateRunIf(deps.db, id, from, patch);
  if (updated) return updated;
  const run = await getRunOrThrow(deps, id);
  throw new AppError(
    'PRECONDITION_FAILED',
    `cannot ${action} run ${id}: it is ${run.status} (allowed from ${from.join(' or ')})`,
    [{ path: 'status', message: `is ${run.status}` }],
  );
}

/** queued → running; running → running too, because BullMQ retries call start again. */
export async function startRun(deps: RegistryDeps, id: string, backend: BackendName): Promise<Run> {
  const run = await transition(
    deps,
    id,
    ['queued', 'running'],
    { status: 'running', backend, startedAt: new Date().toISOString(), error: null },
    'start',
  );
  // A sweep is running once its first trial is.
  if (run.parentRunId) {
    await updateRunIf(deps.db, run.parentRunId, ['queued'], {
      status: 'running',
      backend,
      startedAt: new Date().toISOString(),
    });
  }
  await publishEvent(deps, { type: 'run.started', runId: id, model: run.modelName, backend });
  return run;
}

export async function reportProgress(
  deps: RegistryDeps,
  id: string,
  progress: RunProgress,
  epochs: EpochLoss[] = [],
): Promise<void> {
  const before = await getRunOrThrow(deps, id);
  const patch =
    epochs.length > 0 ? { progress, curve: mergeCurve(before.curve, epochs) } : { progress };
  const run = await transition(deps, id, ['running'], patch, 'report progress of');
  // Only the newest checkpoint is ever resumed from: the one it replaces is garbage.
  const old = before.progress?.checkpoint;
  if (old && old.sha256 !== progress.checkpoint?.sha256) await dropCheckpoint(deps, id, old.sha256);
  await publishEvent(deps, { type: 'run.progress', runId: id, model: run.modelName, progress });
}

/**
 * The stored curve with `epochs` appended; stored epochs at or after the first one sent are
 * replaced (a fit resumed from a checkpoint runs them again), and the result is bounded.
 */
export function mergeCurve(
  stored: readonly EpochLoss[],
  epochs: readonly EpochLoss[],
): EpochLoss[] {
  const first = epochs[0]?.epoch ?? Number.POSITIVE_INFINITY;
  return [...stored.filter((e) => e.epoch < first), ...epochs].slice(-MAX_CURVE_EPOCHS);
}

function withoutCheckpoint(progress: RunProgress | null): RunProgress | null {
  if (!progress) return null;
  const { checkpoint: _dropped, ...rest } = progress;
  return rest;
}

/** Checkpoints are private to their run (model + optimizer state): nothing else refers to them. */
async function dropCheckpoint(deps: RegistryDeps, runId: string, sha256: string): Promise<void> {
  try {
    await deps.store.delete(sha256);
  } catch (err) {
    deps.logger.warn({ err, runId, sha256 }, 'could not delete a run checkpoint');
  }
}

/**
 * running → completed. Called by the trainer (scope `train`, checked by the procedure): the
 * metrics of its held-out evaluation become the registered version's platform metrics, stored
 * apart from the manifest's claimed ones.
 */
export async function completeRun(
  deps: RegistryDeps,
  id: string,
  metrics: Metrics,
  version: number | undefined,
  principal: Principal,
  rows?: RunRows,
  modelTests?: ModelTests,
): Promise<Run> {
  const current = await getRunOrThrow(deps, id);
  if (version === undefined) return completeTrial(deps, current, metrics, rows);
  if (!(await getVersion(deps.db, current.modelName, version))) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `model ${current.modelName} has no version ${version}: create the version before completing the run`,
      [{ path: 'version', message: 'no such version' }],
    );
  }
  const run = await transition(
    deps,
    id,
    ['running'],
    {
      status: 'completed',
      metrics,
      modelVersion: version,
      ...(rows ? { rows } : {}),
      finishedAt: new Date().toISOString(),
      progress: withoutCheckpoint(current.progress),
    },
    'complete',
  );
  await setPlatformMetrics(deps.db, run.modelName, version, {
    metrics,
    source: { kind: 'run', runId: id },
    recordedAt: run.finishedAt ?? new Date().toISOString(),
    recordedBy: principal.name,
  });
  if (modelTests) {
    await setModelTests(deps.db, run.modelName, version, {
      ...modelTests,
      source: { kind: 'run', runId: id },
      recordedAt: run.finishedAt ?? new Date().toISOString(),
      recordedBy: principal.name,
    });
  }
  const checkpoint = current.progress?.checkpoint;
  if (checkpoint) await dropCheckpoint(deps, id, checkpoint.sha256);
  await publishEvent(deps, {
    type: 'run.completed',
    runId: id,
    model: run.modelName,
    version,
    metrics,
  });
  return run;
}

/** A sweep trial completes with its metrics only: the sweep registers the best trial's bundle. */
async function completeTrial(
  deps: RegistryDeps,
  current: Run,
  metrics: Metrics,
  rows: RunRows | undefined,
): Promise<Run> {
  if (!current.parentRunId) {
    throw new AppError(
      'VALIDATION_FAILED',
      `run ${current.id} is not a sweep trial: complete it with the version it registered`,
      [{ path: 'version', message: 'required' }],
    );
  }
  const run = await transition(
    deps,
    current.id,
    ['running'],
    {
      status: 'completed',
      metrics,
      ...(rows ? { rows } : {}),
      finishedAt: new Date().toISOString(),
      progress: withoutCheckpoint(current.progress),
    },
    'complete',
  );
  const checkpoint = current.progress?.checkpoint;
  if (checkpoint) await dropCheckpoint(deps, current.id, checkpoint.sha256);
  return run;
}

export async function failRun(deps: RegistryDeps, id: string, error: string): Promise<Run> {
  const run = await transition(
    deps,
    id,
    ['queued', 'running'],
    { status: 'failed', error, finishedAt: new Date().toISOString() },
    'fail',
  );
  await publishEvent(deps, { type: 'run.failed', runId: id, model: run.modelName, error });
  return run;
}

/**
 * queued/running → cancelled. A waiting job is removed from the queue; a running one learns of
 * the cancellation from the `run.cancelled` event (and from `progress` being refused) and stops
 * within one batch. The run's checkpoint is deleted: a cancelled run is never resumed.
 */
export async function cancelRun(deps: RegistryDeps, id: string, reason?: string): Promise<Run> {
  const before = await getRunOrThrow(deps, id);
  const run = await transition(
    deps,
    id,
    ['queued', 'running'],
    {
      status: 'cancelled',
      error: reason ? `cancelled: ${reason}` : null,
      finishedAt: new Date().toISOString(),
      progress: withoutCheckpoint(before.progress),
    },
    'cancel',
  );
  try {
    // Fails harmlessly (the job is locked) while a worker runs it: that worker stops on the event.
    const job = await deps.queue.getJob(id);
    if (job && !(await job.isActive())) await job.remove();
  } catch (err) {
    deps.logger.warn({ err, runId: id }, 'could not remove the cancelled run from the queue');
  }
  const checkpoint = before.progress?.checkpoint;
  if (checkpoint) await dropCheckpoint(deps, id, checkpoint.sha256);
  await publishEvent(deps, { type: 'run.cancelled', runId: id, model: run.modelName });
  // Cancelling a sweep cancels its unfinished trials (their workers stop on the event; queued
  // trial jobs find their run cancelled and skip).
  if (before.spec.sweep && !before.parentRunId) {
    for (const trial of await listChildRuns(deps.db, id)) {
      if (trial.status !== 'queued' && trial.status !== 'running') continue;
      await cancelRun(deps, trial.id, reason ?? 'the sweep was cancelled').catch((err: unknown) =>
        deps.logger.warn({ err, runId: trial.id }, 'could not cancel a sweep trial'),
      );
    }
  }
  return run;
}
