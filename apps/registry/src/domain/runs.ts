import { randomUUID } from 'node:crypto';
import {
  AppError,
  QUEUE_NAMES,
  TRAIN_JOB_OPTIONS,
  type BackendName,
  type EpochLoss,
  type Metrics,
  type ModelTests,
  type Run,
  type RunProgress,
  type RunRows,
  type RunStatus,
  type ProducedBy,
  type TrainingSpec,
} from '@mlops/contracts';
import {
  deleteRun,
  getRun,
  getVersion,
  insertRun,
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
import { recordProduced } from './producers';
import { createSweepRuns } from './sweeps';
import { dropCheckpoint, mergeCurve, withoutCheckpoint } from './run-progress';
import { transitionOrExplain } from './status-transition';

/** Create a queued run for `spec` and enqueue its training job (job id = run id). */
/** `by`: the pipeline step creating the run (checked by the caller), recorded before enqueueing. */
export async function createRun(
  deps: RegistryDeps,
  asked: TrainingSpec,
  by: ProducedBy | null = null,
): Promise<Run> {
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
    await recordProduced(deps, by, 'training-run', parent.id);
    await publishEvent(deps, { type: 'run.queued', runId: parent.id, model: parent.modelName });
    return (await getRun(deps.db, parent.id)) ?? parent;
  }
  const run = await insertRun(deps.db, row);
  // Before the job exists, so the version the trainer registers finds it (registerVersion).
  await recordProduced(deps, by, 'training-run', run.id);
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
export function transition(
  deps: RegistryDeps,
  id: string,
  from: readonly RunStatus[],
  patch: Parameters<typeof updateRunIf>[3],
  action: string,
): Promise<Run> {
  return transitionOrExplain(
    `run ${id}`,
    from,
    action,
    () => updateRunIf(deps.db, id, from, patch),
    () => getRunOrThrow(deps, id),
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
