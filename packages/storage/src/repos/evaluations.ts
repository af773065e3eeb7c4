import {
  evaluationSchema,
  metricsSchema,
  type Evaluation,
  type EvaluationStatus,
  type Metrics,
} from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { VersionEvaluationRow } from '../db/tables/evaluations';
import { parseJsonColumn } from './json';

export interface NewEvaluation {
  id: string;
  model: string;
  version: number;
  dataset: { id: string; name: string; version: number };
  requestedBy: string;
  now: string;
}

export async function insertEvaluation(db: Db, input: NewEvaluation): Promise<Evaluation> {
  const row = await db
    .insertInto('version_evaluations')
    .values({
      id: input.id,
      model: input.model,
      version: input.version,
      dataset_id: input.dataset.id,
      dataset_name: input.dataset.name,
      dataset_version: input.dataset.version,
      status: 'queued',
      metrics_json: '{}',
      rows: null,
      error: null,
      requested_by: input.requestedBy,
      completed_by: null,
      created_at: input.now,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvaluation(row);
}

export async function getEvaluation(db: Db, id: string): Promise<Evaluation | undefined> {
  const row = await db
    .selectFrom('version_evaluations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toEvaluation(row) : undefined;
}

export async function listEvaluations(
  db: Db,
  opts: { model: string; version?: number; limit: number },
): Promise<Evaluation[]> {
  let query = db.selectFrom('version_evaluations').selectAll().where('model', '=', opts.model);
  if (opts.version !== undefined) query = query.where('version', '=', opts.version);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map(toEvaluation);
}

/** The newest completed evaluation of a version on one dataset version (a policy's benchmark). */
export async function latestCompletedEvaluation(
  db: Db,
  opts: { model: string; version: number; dataset: { name: string; version: number } },
): Promise<Evaluation | undefined> {
  const row = await db
    .selectFrom('version_evaluations')
    .selectAll()
    .where('model', '=', opts.model)
    .where('version', '=', opts.version)
    .where('dataset_name', '=', opts.dataset.name)
    .where('dataset_version', '=', opts.dataset.version)
    .where('status', '=', 'completed')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toEvaluation(row) : undefined;
}

/** Conditional status change: undefined when the evaluation is not in one of `from`. */
export async function updateEvaluationIf(
  db: Db,
  id: string,
  from: readonly EvaluationStatus[],
  patch: {
    status: EvaluationStatus;
    metrics?: Metrics;
    rows?: number;
    error?: string | null;
    finishedAt?: string | null;
    completedBy?: string;
  },
): Promise<Evaluation | undefined> {
  const row = await db
    .updateTable('version_evaluations')
    .set({
      status: patch.status,
      ...(patch.metrics !== undefined ? { metrics_json: JSON.stringify(patch.metrics) } : {}),
      ...(patch.rows !== undefined ? { rows: patch.rows } : {}),
      ...(patch.error !== undefined ? { error: patch.error } : {}),
      ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
      ...(patch.completedBy !== undefined ? { completed_by: patch.completedBy } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .returningAll()
    .executeTakeFirst();
  return row ? toEvaluation(row) : undefined;
}

export async function deleteEvaluation(db: Db, id: string): Promise<void> {
  await db.deleteFrom('version_evaluations').where('id', '=', id).execute();
}

export function toEvaluation(row: VersionEvaluationRow): Evaluation {
  return evaluationSchema.parse({
    id: row.id,
    model: row.model,
    version: Number(row.version),
    dataset: {
      id: row.dataset_id,
      name: row.dataset_name,
      version: Number(row.dataset_version),
    },
    status: row.status,
    metrics: parseJsonColumn(metricsSchema, row.metrics_json, 'evaluation metrics'),
    rows: row.rows === null ? null : Number(row.rows),
    error: row.error,
    requestedBy: row.requested_by,
    completedBy: row.completed_by,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  });
}
