import { AppError } from '@mlops/contracts';
import type { Db } from '../db/connection';
import { lockKey, writeTransaction } from '../db/transaction';

// Registered-model and version metadata the MLflow API writes (issue #18): empty models,
// descriptions, tags. Versions, aliases and their audit stay in versions.ts / aliases.ts.

/** Version number under which a registered model's own tags are stored. */
export const MODEL_TAG_VERSION = 0;

export interface ModelTag {
  version: number;
  key: string;
  value: string;
}

/** A model without versions (MLflow creates the name first); false when the name exists. */
export async function createModelRow(
  db: Db,
  input: { name: string; description: string; now: string },
): Promise<boolean> {
  const rows = await db
    .insertInto('models')
    .values({
      name: input.name,
      description: input.description,
      latest_version: 0,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('name')
    .execute();
  return rows.length === 1;
}

export async function setModelDescription(
  db: Db,
  input: { name: string; description: string; now: string },
): Promise<boolean> {
  const res = await db
    .updateTable('models')
    .set({ description: input.description, updated_at: input.now })
    .where('name', '=', input.name)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function setVersionDescription(
  db: Db,
  input: { model: string; version: number; description: string },
): Promise<boolean> {
  const res = await db
    .updateTable('model_versions')
    .set({ description: input.description })
    .where('model', '=', input.model)
    .where('version', '=', input.version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Descriptions of a model's versions that have one. */
export async function versionDescriptions(db: Db, model: string): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('model_versions')
    .select(['version', 'description'])
    .where('model', '=', model)
    .where('description', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.version, r.description ?? '']));
}

/** The version a run registered, if any (a run registers at most one). */
export async function versionOfRun(
  db: Db,
  runId: string,
): Promise<{ model: string; version: number } | undefined> {
  return db
    .selectFrom('model_versions')
    .select(['model', 'version'])
    .where('run_id', '=', runId)
    .executeTakeFirst();
}

export async function setModelTag(
  db: Db,
  input: { model: string; version: number; key: string; value: string },
): Promise<void> {
  await db
    .insertInto('model_tags')
    .values(input)
    .onConflict((oc) => oc.columns(['model', 'version', 'key']).doUpdateSet({ value: input.value }))
    .execute();
}

export async function deleteModelTag(
  db: Db,
  input: { model: string; version: number; key: string },
): Promise<boolean> {
  const res = await db
    .deleteFrom('model_tags')
    .where('model', '=', input.model)
    .where('version', '=', input.version)
    .where('key', '=', input.key)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Every tag of a model and its versions, by version then key. */
export async function modelTags(db: Db, model: string): Promise<ModelTag[]> {
  return db
    .selectFrom('model_tags')
    .select(['version', 'key', 'value'])
    .where('model', '=', model)
    .orderBy('version')
    .orderBy('key')
    .execute();
}

/** Drop the tags of one version (after the version itself was deleted). */
export async function deleteVersionTags(db: Db, model: string, version: number): Promise<void> {
  await db
    .deleteFrom('model_tags')
    .where('model', '=', model)
    .where('version', '=', version)
    .execute();
}

/**
 * Delete a model row and its tags; CONFLICT while it still has versions or aliases (the caller
 * deletes those first, through the audited paths). The alias audit stays: it is history.
 */
export async function deleteModelRow(db: Db, name: string): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `versions:${name}`);
    const left = await trx
      .selectFrom('model_versions')
      .select('version')
      .where('model', '=', name)
      .limit(1)
      .executeTakeFirst();
    const alias = await trx
      .selectFrom('aliases')
      .select('alias')
      .where('model', '=', name)
      .limit(1)
      .executeTakeFirst();
    if (left || alias)
      throw new AppError(
        'CONFLICT',
        `model ${name} still has versions or aliases; delete them first`,
      );
    await trx.deleteFrom('model_tags').where('model', '=', name).execute();
    const res = await trx.deleteFrom('models').where('name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  });
}

/**
 * Keys of versions, by model name then newest version first, optionally of one model or one
 * run, resuming after `after` (the last key of the previous page): MLflow's model-versions/
 * search, paged without an offset.
 */
export async function versionKeys(
  db: Db,
  opts: {
    model?: string;
    runId?: string;
    after?: { model: string; version: number };
    limit: number;
  },
): Promise<{ model: string; version: number }[]> {
  let q = db.selectFrom('model_versions').select(['model', 'version']);
  if (opts.model !== undefined) q = q.where('model', '=', opts.model);
  if (opts.runId !== undefined) q = q.where('run_id', '=', opts.runId);
  const after = opts.after;
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('model', '>', after.model),
        eb.and([eb('model', '=', after.model), eb('version', '<', after.version)]),
      ]),
    );
  return q.orderBy('model').orderBy('version', 'desc').limit(opts.limit).execute();
}

/** The run that registered each of a model's versions (versions imported or copied have none). */
export async function versionRuns(db: Db, model: string): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('model_versions')
    .select(['version', 'run_id'])
    .where('model', '=', model)
    .where('run_id', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.version, r.run_id ?? '']));
}
