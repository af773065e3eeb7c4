import { modelSchema, type Model } from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { ModelRow } from '../db/tables/models';

export async function getModel(db: Db, name: string): Promise<Model | undefined> {
  const row = await db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) return undefined;
  return toModel(row, await aliasMap(db, [name]));
}

export async function listModels(db: Db, opts: { limit: number }): Promise<Model[]> {
  const rows = await db
    .selectFrom('models')
    .selectAll()
    .orderBy('name')
    .limit(opts.limit)
    .execute();
  const aliases = await aliasMap(
    db,
    rows.map((r) => r.name),
  );
  return rows.map((row) => toModel(row, aliases));
}

async function aliasMap(db: Db, models: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (models.length === 0) return out;
  const rows = await db.selectFrom('aliases').selectAll().where('model', 'in', models).execute();
  for (const row of rows) {
    const forModel = out.get(row.model) ?? {};
    forModel[row.alias] = row.version;
    out.set(row.model, forModel);
  }
  return out;
}

function toModel(row: ModelRow, aliases: Map<string, Record<string, number>>): Model {
  return modelSchema.parse({
    name: row.name,
    description: row.description,
    latestVersion: row.latest_version,
    aliases: aliases.get(row.name) ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
