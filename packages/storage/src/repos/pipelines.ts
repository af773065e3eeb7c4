import {
  canonicalJson,
  pipelineDefinitionSchema,
  storedPipelineSchema,
  type PipelineDefinition,
  type StoredPipeline,
} from '@mlops/contracts';
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection';
import type { PipelinesTable } from '../db/tables/pipelines';
import { lockKey, writeTransaction } from '../db/transaction';
import { parseJsonColumn } from './json';

/**
 * Stores a definition under its name. The same content (by canonical-JSON sha256) keeps its
 * version; a changed one gets the next, so a run names exactly what it ran.
 */
export async function upsertPipeline(
  db: Db,
  definition: PipelineDefinition,
  now: string,
): Promise<StoredPipeline> {
  const json = canonicalJson(definition);
  const sha256 = createHash('sha256').update(json).digest('hex');
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `pipelines:${definition.name}`);
    const current = await trx
      .selectFrom('pipelines')
      .selectAll()
      .where('name', '=', definition.name)
      .executeTakeFirst();
    if (current?.sha256 === sha256) return toPipeline(current);
    const row = {
      name: definition.name,
      version: (current?.version ?? 0) + 1,
      sha256,
      definition_json: json,
      created_at: current?.created_at ?? now,
      updated_at: now,
    };
    if (current) {
      await trx.updateTable('pipelines').set(row).where('name', '=', definition.name).execute();
    } else {
      await trx.insertInto('pipelines').values(row).execute();
    }
    return toPipeline(row);
  });
}

export async function getPipeline(db: Db, name: string): Promise<StoredPipeline | undefined> {
  const row = await db
    .selectFrom('pipelines')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toPipeline(row) : undefined;
}

export async function listPipelines(db: Db, limit: number): Promise<StoredPipeline[]> {
  const rows = await db.selectFrom('pipelines').selectAll().orderBy('name').limit(limit).execute();
  return rows.map(toPipeline);
}

function toPipeline(row: PipelinesTable): StoredPipeline {
  return storedPipelineSchema.parse({
    name: row.name,
    version: row.version,
    sha256: row.sha256,
    definition: parseJsonColumn(pipelineDefinitionSchema, row.definition_json, 'pipeline'),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
