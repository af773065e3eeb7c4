import type { AliasAuditEntry, Evaluation, Run } from '@mlops/contracts';
import type { Db } from '../db/connection';
import { toAuditEntry } from './aliases';
import { toEvaluation } from './evaluations';
import { toRun } from './runs';

// The reads the lineage walk needs beyond each repo's own (forward edges: what used a thing).
// Each is bounded by `limit`; the caller asks one more than it shows to know it cut the list.

/** Training runs on one dataset version (by its id), oldest first. */
export async function runsTrainedOn(db: Db, datasetId: string, limit: number): Promise<Run[]> {
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRun);
}

/** Alias moves to or from one model version, oldest first. */
export async function aliasMovesOf(
  db: Db,
  model: string,
  version: number,
  limit: number,
): Promise<AliasAuditEntry[]> {
  const rows = await db
    .selectFrom('alias_history')
    .selectAll()
    .where('model', '=', model)
    .where((eb) => eb.or([eb('to_version', '=', version), eb('from_version', '=', version)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toAuditEntry);
}

/** One alias move by its history id. */
export async function getAliasMove(db: Db, id: number): Promise<AliasAuditEntry | undefined> {
  const row = await db
    .selectFrom('alias_history')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toAuditEntry(row) : undefined;
}

/** Evaluations that ran on one dataset version (by its id), oldest first. */
export async function evaluationsOnDataset(
  db: Db,
  datasetId: string,
  limit: number,
): Promise<Evaluation[]> {
  const rows = await db
    .selectFrom('version_evaluations')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toEvaluation);
}
