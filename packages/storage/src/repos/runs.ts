import {
  metricsSchema,
  runCurveSchema,
  runRowsSchema,
  runProgressSchema,
  runSchema,
  trainingSpecSchema,
  type Run,
  type RunStatus,
  type SweepTrial,
} from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { RunRow, RunUpdate } from '../db/tables/runs';
import { parseJsonColumn } from './json';

export async function insertRun(db: Db, run: Run): Promise<Run> {
  const row = await db
    .insertInto('runs')
    .values({
      id: run.id,
      model_name: run.modelName,
      spec_json: JSON.stringify(run.spec),
      dataset_id: run.datasetId,
      dataset_hash: run.datasetHash,
      status: run.status,
      progress_json: run.progress ? JSON.stringify(run.progress) : null,
      metrics_json: JSON.stringify(run.metrics),
      backend: run.backend,
      error: run.error,
      model_version: run.modelVersion,
      created_at: run.createdAt,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      parent_run_id: run.parentRunId ?? null,
      rows_json: run.rows ? JSON.stringify(run.rows) : null,
      curve_json: run.curve.length > 0 ? JSON.stringify(run.curve) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRun(row);
}

export async function deleteRun(db: Db, id: string): Promise<void> {
  await db.deleteFrom('runs').where('id', '=', id).execute();
}

export async function getRun(db: Db, id: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [run] = await withTrials(db, [toRun(row)]);
  return run;
}

function isSweepParent(run: Run): boolean {
  return run.spec.sweep !== undefined && !run.parentRunId;
}

function trialOf(child: Run): SweepTrial {
  return {
    runId: child.id,
    status: child.status,
    hyperparameters: child.spec.hyperparameters,
    metrics: child.metrics,
    error: child.error,
  };
}

/**
 * Sets `trials` on every sweep parent among `runs` (in place; returns `runs`), read from the
 * children so they are never stale: one query for all the parents of a page, not one each.
 */
async function withTrials(db: Db, runs: Run[]): Promise<Run[]> {
  const parents = runs.filter(isSweepParent);
  if (parents.length === 0) return runs;
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where(
      'parent_run_id',
      'in',
      parents.map((p) => p.id),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const byParent = new Map<string, SweepTrial[]>(parents.map((p) => [p.id, []]));
  for (const row of rows) {
    const child = toRun(row);
    if (child.parentRunId) byParent.get(child.parentRunId)?.push(trialOf(child));
  }
  for (const parent of parents) parent.trials = byParent.get(parent.id) ?? [];
  return runs;
}

/** The trials of a sweep (by creation time, then id). */
export async function listChildRuns(db: Db, parentRunId: string): Promise<Run[]> {
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('parent_run_id', '=', parentRunId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toRun);
}

export async function listRuns(
  db: Db,
  opts: { model?: string; status?: RunStatus; limit: number },
): Promise<Run[]> {
  let q = db.selectFrom('runs').selectAll();
  if (opts.model !== undefined) q = q.where('model_name', '=', opts.model);
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit).execute();
  return withTrials(db, rows.map(toRun));
}

export interface RunPatch {
  status?: RunStatus;
  progress?: Run['progress'];
  metrics?: Run['metrics'];
  backend?: Run['backend'];
  error?: string | null;
  modelVersion?: number | null;
  rows?: Run['rows'];
  curve?: Run['curve'];
  startedAt?: string | null;
  finishedAt?: string | null;
}

/**
 * Compare-and-set update: applies `patch` only while the run's status is one of `from`, in one
 * statement, so two callers racing on a transition cannot both win. Returns undefined when the
 * run is missing or in another status.
 */
export async function updateRunIf(
  db: Db,
  id: string,
  from: readonly RunStatus[],
  patch: RunPatch,
): Promise<Run | undefined> {
  const set: RunUpdate = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.progress !== undefined)
    set.progress_json = patch.progress ? JSON.stringify(patch.progress) : null;
  if (patch.metrics !== undefined) set.metrics_json = JSON.stringify(patch.metrics);
  if (patch.backend !== undefined) set.backend = patch.backend;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.modelVersion !== undefined) set.model_version = patch.modelVersion;
  if (patch.rows !== undefined) set.rows_json = patch.rows ? JSON.stringify(patch.rows) : null;
  if (patch.curve !== undefined) set.curve_json = JSON.stringify(patch.curve);
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  const row = await db
    .updateTable('runs')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .returningAll()
    .executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export function toRun(row: RunRow): Run {
  return runSchema.parse({
    id: row.id,
    modelName: row.model_name,
    spec: parseJsonColumn(trainingSpecSchema, row.spec_json, 'run spec'),
    datasetId: row.dataset_id,
    datasetHash: row.dataset_hash,
    status: row.status,
    progress: row.progress_json
      ? parseJsonColumn(runProgressSchema, row.progress_json, 'run progress')
      : null,
    metrics: parseJsonColumn(metricsSchema, row.metrics_json, 'run metrics'),
    backend: row.backend,
    error: row.error,
    modelVersion: row.model_version,
    rows: row.rows_json ? parseJsonColumn(runRowsSchema, row.rows_json, 'run rows') : null,
    curve: row.curve_json ? parseJsonColumn(runCurveSchema, row.curve_json, 'run curve') : [],
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    ...(row.parent_run_id ? { parentRunId: row.parent_run_id } : {}),
  });
}

/**
 * Runs newest first, by model, status and/or a metric range; cursor = `createdAt|id` of the
 * last run returned. Metrics live in JSON, so that filter runs here, batch by batch.
 */
export async function searchRuns(
  db: Db,
  opts: {
    model?: string;
    status?: RunStatus;
    metric?: { name: string; min?: number | undefined; max?: number | undefined };
    cursor?: string;
    limit: number;
  },
): Promise<{ items: Run[]; nextCursor: string | null }> {
  const items: Run[] = [];
  let after = opts.cursor ? splitCursor(opts.cursor) : null;
  const batch = Math.max(opts.limit * 4, 50);
  for (;;) {
    let q = db.selectFrom('runs').selectAll();
    if (opts.model !== undefined) q = q.where('model_name', '=', opts.model);
    if (opts.status !== undefined) q = q.where('status', '=', opts.status);
    if (after) {
      const { at, id } = after;
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '>', id)])]),
      );
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(batch).execute();
    for (const row of rows) {
      after = { at: row.created_at, id: row.id };
      const run = toRun(row);
      if (!metricInRange(run.metrics, opts.metric)) continue;
      items.push(run);
      if (items.length === opts.limit + 1) {
        const page = items.slice(0, opts.limit);
        const last = page.at(-1)!;
        return { items: await withTrials(db, page), nextCursor: `${last.createdAt}|${last.id}` };
      }
    }
    if (rows.length < batch) return { items: await withTrials(db, items), nextCursor: null };
  }
}

function splitCursor(cursor: string): { at: string; id: string } {
  const [at = '', id = ''] = cursor.split('|');
  return { at, id };
}

function metricInRange(
  metrics: Run['metrics'],
  range?: { name: string; min?: number | undefined; max?: number | undefined },
): boolean {
  if (!range) return true;
  const value = metrics[range.name];
  if (value === undefined) return false;
  return (
    (range.min === undefined || value >= range.min) &&
    (range.max === undefined || value <= range.max)
  );
}
