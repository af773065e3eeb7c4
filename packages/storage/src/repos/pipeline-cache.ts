import { pipelineOutputsSchema, type JsonValue } from '@mlops/contracts';
import { sql } from 'kysely';
import type { Db } from '../db/connection';
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
 * Cache entries whose stored outputs contain `text` (a JSON fragment such as `"iris"`): the
 * candidates a deletion checks exactly. The table holds one row per distinct step execution.
 */
export async function cachedStepsContaining(
  db: Db,
  text: string,
): Promise<{ key: string; uses: string; outputs: Record<string, JsonValue> }[]> {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db
    .selectFrom('pipeline_step_cache')
    .select(['cache_key', 'uses', 'outputs_json'])
    .where(sql<boolean>`outputs_json like ${`%${escaped}%`} escape '\\'`)
    .execute();
  return rows.map((r) => ({
    key: r.cache_key,
    uses: r.uses,
    outputs: parseJsonColumn(record, r.outputs_json, 'cached step outputs'),
  }));
}
