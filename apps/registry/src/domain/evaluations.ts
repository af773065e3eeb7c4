import { randomUUID } from 'node:crypto';
import {
  AppError,
  EVALUATE_JOB_OPTIONS,
  QUEUE_NAMES,
  type ErrorDetail,
  type Evaluation,
  type EvaluationStatus,
  type Metrics,
} from '@mlops/contracts';
import {
  deleteEvaluation,
  getEvaluation,
  insertEvaluation,
  listEvaluations,
  setPlatformMetrics,
  updateEvaluationIf,
} from '@mlops/storage';
import type { Principal } from '../auth';
import type { RegistryDeps } from '../deps';
import { queueOf } from '../queues';
import { getDataset } from './datasets/queries';
import { transitionOrExplain } from './status-transition';
import { getVersionOrThrow } from './versions';

/**
 * Re-evaluation of a version on a registered dataset version: the way a version registered by
 * a client (import, `versions.create` without a run) gets platform metrics. The registry records
 * the request and enqueues an `evaluate` job; the trainer loads the version's bundle, predicts
 * every row of the dataset and reports the metrics (scope `train`), which become the version's
 * platform metrics.
 */
export async function requestEvaluation(
  deps: RegistryDeps,
  input: {
    model: string;
    version: number;
    dataset: { name: string; version?: number | undefined };
  },
  principal: Principal,
): Promise<Evaluation> {
  const mv = await getVersionOrThrow(deps, input.model, input.version);
  const dataset = await getDataset(deps, input.dataset.name, input.dataset.version);
  const columns = new Set(dataset.schema.columns.map((c) => c.name));
  const needed = [
    ...mv.manifest.signature.inputs.filter((c) => !c.nullable).map((c) => c.name),
    mv.manifest.signature.output.target,
  ];
  const missing: ErrorDetail[] = needed
    .filter((name) => !columns.has(name))
    .map((name) => ({
      path: 'dataset',
      message: `${dataset.name} v${dataset.version} has no column "${name}" that v${mv.version} needs`,
    }));
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `dataset ${dataset.name} v${dataset.version} cannot evaluate ${mv.model} v${mv.version}: it lacks ${missing.length} column(s)`,
      missing.slice(0, 20),
    );
  }
  if (dataset.rowCount === 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `dataset ${dataset.name} v${dataset.version} is empty`,
      [{ path: 'dataset', message: 'has no rows' }],
    );
  }
  const evaluation = await insertEvaluation(deps.db, {
    id: randomUUID(),
    model: mv.model,
    version: mv.version,
    dataset: { id: dataset.id, name: dataset.name, version: dataset.version },
    requestedBy: principal.name,
    now: new Date().toISOString(),
  });
  try {
    await queueOf(deps, QUEUE_NAMES.evaluate).add(
      QUEUE_NAMES.evaluate,
      { evaluationId: evaluation.id },
      { ...EVALUATE_JOB_OPTIONS, jobId: evaluation.id },
    );
  } catch (err) {
    await deleteEvaluation(deps.db, evaluation.id);
    deps.logger.error({ err, evaluationId: evaluation.id }, 'could not enqueue evaluation job');
    throw new AppError(
      'UNAVAILABLE',
      'could not enqueue the evaluation job: is Redis reachable? Try again',
    );
  }
  deps.logger.info(
    {
      evaluationId: evaluation.id,
      model: mv.model,
      version: mv.version,
      dataset: dataset.name,
      actor: principal.name,
    },
    'evaluation requested',
  );
  return evaluation;
}

export async function getEvaluationOrThrow(deps: RegistryDeps, id: string): Promise<Evaluation> {
  const found = await getEvaluation(deps.db, id);
  if (!found) throw new AppError('NOT_FOUND', `evaluation ${id} does not exist`);
  return found;
}

export function listEvaluationsOf(
  deps: RegistryDeps,
  opts: { model: string; version?: number | undefined; limit: number },
): Promise<Evaluation[]> {
  return listEvaluations(deps.db, {
    model: opts.model,
    limit: opts.limit,
    ...(opts.version !== undefined ? { version: opts.version } : {}),
  });
}

function transition(
  deps: RegistryDeps,
  id: string,
  from: readonly EvaluationStatus[],
  patch: Parameters<typeof updateEvaluationIf>[3],
  action: string,
): Promise<Evaluation> {
  return transitionOrExplain(
    `evaluation ${id}`,
    from,
    action,
    () => updateEvaluationIf(deps.db, id, from, patch),
    () => getEvaluationOrThrow(deps, id),
  );
}

/** queued → running; running → running too (a retried job starts again). */
export function startEvaluation(deps: RegistryDeps, id: string): Promise<Evaluation> {
  return transition(deps, id, ['queued', 'running'], { status: 'running' }, 'start');
}

/** running → completed; the metrics become the version's platform metrics (newest wins). */
export async function completeEvaluation(
  deps: RegistryDeps,
  input: { id: string; metrics: Metrics; rows: number },
  principal: Principal,
): Promise<Evaluation> {
  const finishedAt = new Date().toISOString();
  const evaluation = await transition(
    deps,
    input.id,
    ['running'],
    {
      status: 'completed',
      metrics: input.metrics,
      rows: input.rows,
      finishedAt,
      error: null,
      completedBy: principal.name,
    },
    'complete',
  );
  await setPlatformMetrics(deps.db, evaluation.model, evaluation.version, {
    metrics: input.metrics,
    source: {
      kind: 'evaluation',
      evaluationId: evaluation.id,
      dataset: { name: evaluation.dataset.name, version: evaluation.dataset.version },
    },
    recordedAt: finishedAt,
    recordedBy: principal.name,
  });
  return evaluation;
}

export function failEvaluation(deps: RegistryDeps, id: string, error: string): Promise<Evaluation> {
  return transition(
    deps,
    id,
    ['queued', 'running'],
    { status: 'failed', error, finishedAt: new Date().toISOString() },
    'fail',
  );
}
