import { pipelineOutputsSchema, type JsonValue } from '@mlops/contracts';
import { sql } from 'kysely';
import type { Db } from '../db/connection';
import { isSqlite } from '../db/transaction';
import { parseJsonColumn } from './json';

const record = pipelineOutputsSchema;

/** Counts a hit of a cache key (its outputs were read with peekCachedStep). */
export async function countCachedStepHit(db: Db, key: string, now: string): Promise<void> {
  await db
    .updateTable('pipeline_step_cache')
    .set((eb) => ({ hits: eb('hits', '+', 1), last_hit_at: now }))
    .where('cache_key', '=', key)
    .execute();
}

/** Stores a step's outputs under its key; a key already stored keeps its first outputs. */
export async function putCachedStep(
  db: Db,
  entry: {
    key: string;
    uses: string;
    outputs: Record<string, JsonValue>;
    runId: string;
    stepId: string;
  },
  now: string,
): Promise<void> {
  await db
    .insertInto('pipeline_step_cache')
    .values({
      cache_key: entry.key,
      uses: entry.uses,
      outputs_json: JSON.stringify(entry.outputs),
      run_id: entry.runId,
      step_id: entry.stepId,
      created_at: now,
      hits: 0,
      last_hit_at: null,
    })
    .onConflict((oc) => oc.column('cache_key').doNothing())
    .execute();
}

export async function cacheEntryHits(db: Db, key: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('pipeline_step_cache')
    .select('hits')
    .where('cache_key', '=', key)
    .executeTakeFirst();
  return row?.hits;
}

/** A cache entry as stored, without counting a hit: its step kind and outputs. */
export async function peekCachedStep(
  db: Db,
  key: string,
): Promise<{ uses: string; outputs: Record<string, JsonValue> } | undefined> {
  const row = await db
    .selectFrom('pipeline_step_cache')
    .select(['uses', 'outputs_json'])
    .where('cache_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    uses: row.uses,
    outputs: parseJsonColumn(record, row.outputs_json, 'cached step outputs'),
  };
}

/** Forgets a cache entry (its outputs name something deleted). */
export async function dropCachedStep(db: Db, key: string): Promise<void> {
  await db.deleteFrom('pipeline_step_cache').where('cache_key', '=', key).execute();
}

/**
 * Forgets the entries of the step kinds `uses` whose outputs name an artifact version, e.g.
 * `{ model: 'iris', version: 3 }`: exact JSON matches (a string `"3"` or a name `iris2` is
 * another thing), through each database's JSON functions.
 */
export async function dropCachedStepsNaming(
  db: Db,
  named: { field: 'model' | 'dataset'; name: string; version: number },
  uses: readonly string[],
): Promise<number> {
  if (uses.length === 0) return 0;
  const names = isSqlite(db)
    ? sql<boolean>`json_extract(outputs_json, ${`$.${named.field}`}) = ${named.name}
        and json_extract(outputs_json, '$.version') = ${named.version}`
    : sql<boolean>`outputs_json::jsonb @> ${JSON.stringify({
        [named.field]: named.name,
        version: named.version,
      })}::jsonb`;
  const res = await db
    .deleteFrom('pipeline_step_cache')
    .where('uses', 'in', uses)
    .where(names)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
