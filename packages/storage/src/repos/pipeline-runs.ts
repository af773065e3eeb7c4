import {
  pipelineOutputsSchema,
  pipelineDefinitionSchema,
  pipelineRunSchema,
  type JsonValue,
  type PipelineDefinition,
  type PipelineRun,
  type PipelineStepRun,
} from '@mlops/contracts';
import type { Db } from '../db/connection';
import type {
  PipelineRunRow,
  PipelineRunsTable,
  PipelineStepRow,
  PipelineStepsTable,
} from '../db/tables/pipelines';
import { parseJsonColumn } from './json';

const record = pipelineOutputsSchema;

/** A run as stored: the API record and the definition it runs. */
export interface PipelineRunRecord {
  run: PipelineRun;
  definition: PipelineDefinition;
}

/** A run about to start: what its rows are made of (every step queued, nothing run yet). */
export interface NewPipelineRun {
  id: string;
  definition: PipelineDefinition;
  pipelineVersion: number;
  parameters: Record<string, JsonValue>;
  trigger: { kind: string; detail?: string | null; key?: string | null };
  noCache: boolean;
  createdBy: string;
  createdAt: string;
}

/** Inserts a queued run and one queued row per step of its definition, in definition order. */
export async function insertPipelineRun(db: Db, run: NewPipelineRun): Promise<void> {
  const def = run.definition;
  const row: PipelineRunsTable = {
    id: run.id,
    pipeline: def.name,
    pipeline_version: run.pipelineVersion,
    status: 'queued',
    definition_json: JSON.stringify(def),
    parameters_json: JSON.stringify(run.parameters),
    trigger_kind: run.trigger.kind,
    trigger_detail: run.trigger.detail ?? null,
    trigger_key: run.trigger.key ?? null,
    no_cache: run.noCache ? 1 : 0,
    error: null,
    created_by: run.createdBy,
    created_at: run.createdAt,
    started_at: null,
    finished_at: null,
  };
  const steps: PipelineStepsTable[] = def.steps.map((s, i) => ({
    run_id: run.id,
    step_id: s.id,
    position: i,
    uses: s.uses,
    status: 'queued',
    cached: 0,
    cache_key: null,
    inputs_json: null,
    outputs_json: null,
    state_json: null,
    attempts: 0,
    error: null,
    started_at: null,
    finished_at: null,
  }));
  await db.insertInto('pipeline_runs').values(row).execute();
  await db.insertInto('pipeline_steps').values(steps).execute();
}

export async function getPipelineRun(db: Db, id: string): Promise<PipelineRunRecord | undefined> {
  const row = await db
    .selectFrom('pipeline_runs')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const steps = await db
    .selectFrom('pipeline_steps')
    .selectAll()
    .where('run_id', '=', id)
    .orderBy('position')
    .execute();
  return toRecord(row, steps);
}

export async function findPipelineRunByTrigger(db: Db, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('pipeline_runs')
    .select('id')
    .where('trigger_key', '=', key)
    .executeTakeFirst();
  return row?.id;
}

/** Newest first, with their steps (one query for the steps of the whole page). */
export async function listPipelineRuns(
  db: Db,
  opts: { pipeline?: string; status?: string; limit: number },
): Promise<PipelineRun[]> {
  let query = db.selectFrom('pipeline_runs').selectAll();
  if (opts.pipeline) query = query.where('pipeline', '=', opts.pipeline);
  if (opts.status) query = query.where('status', '=', opts.status);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  if (rows.length === 0) return [];
  const steps = await db
    .selectFrom('pipeline_steps')
    .selectAll()
    .where(
      'run_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('position')
    .execute();
  return rows.map(
    (r) =>
      toRecord(
        r,
        steps.filter((s) => s.run_id === r.id),
      ).run,
  );
}

export async function updatePipelineRun(
  db: Db,
  id: string,
  set: Partial<Pick<PipelineRunsTable, 'status' | 'error' | 'started_at' | 'finished_at'>>,
  onlyIfStatusIn?: string[],
): Promise<boolean> {
  let query = db.updateTable('pipeline_runs').set(set).where('id', '=', id);
  if (onlyIfStatusIn) query = query.where('status', 'in', onlyIfStatusIn);
  const res = await query.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export type StepUpdate = Partial<
  Omit<PipelineStepsTable, 'run_id' | 'step_id' | 'position' | 'uses'>
>;

/** Updates one step; with `onlyIfStatusIn`, only from those statuses (false when it was not). */
export async function updatePipelineStep(
  db: Db,
  runId: string,
  stepId: string,
  set: StepUpdate,
  onlyIfStatusIn?: string[],
): Promise<boolean> {
  let query = db
    .updateTable('pipeline_steps')
    .set(set)
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId);
  if (onlyIfStatusIn) query = query.where('status', 'in', onlyIfStatusIn);
  const res = await query.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

function ms(from: string | null, to: string | null): number | null {
  return from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : null;
}

function json(text: string | null, what: string): Record<string, JsonValue> | null {
  return text === null ? null : parseJsonColumn(record, text, what);
}

function toStep(row: PipelineStepRow): PipelineStepRun {
  return {
    runId: row.run_id,
    stepId: row.step_id,
    uses: row.uses,
    status: row.status as PipelineStepRun['status'],
    cached: row.cached === 1,
    cacheKey: row.cache_key,
    inputs: json(row.inputs_json, 'step inputs'),
    outputs: json(row.outputs_json, 'step outputs'),
    state: json(row.state_json, 'step state'),
    attempts: row.attempts,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: ms(row.started_at, row.finished_at),
  };
}

function toRecord(row: PipelineRunRow, steps: PipelineStepRow[]): PipelineRunRecord {
  const definition = parseJsonColumn(pipelineDefinitionSchema, row.definition_json, 'pipeline');
  const run = pipelineRunSchema.parse({
    id: row.id,
    pipeline: row.pipeline,
    pipelineVersion: row.pipeline_version,
    status: row.status,
    parameters: parseJsonColumn(record, row.parameters_json, 'pipeline parameters'),
    trigger: {
      kind: row.trigger_kind,
      ...(row.trigger_detail !== null ? { detail: row.trigger_detail } : {}),
      ...(row.trigger_key !== null ? { key: row.trigger_key } : {}),
    },
    noCache: row.no_cache === 1,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: ms(row.started_at, row.finished_at),
    definition,
    steps: steps.map(toStep),
  });
  return { run, definition };
}
