import { AppError, bundleManifestSchema } from '@mlops/contracts';
import type { Db } from '../db/connection';
import { lockKey, writeTransaction } from '../db/transaction';
import { parseJsonColumn } from './json';

const SHA_IN_TEXT = /\b[a-f0-9]{64}\b/g;
const ACTIVE_RUN_STATUSES = ['queued', 'running'];

/**
 * Every blob the database still refers to: each version's bundle files, each dataset version's
 * rows, and any sha256 named by a run in progress (its dataset, checkpoints and whatever runs
 * record next, found by scanning the row's text so a new run field cannot be forgotten here).
 * A finished run's leftovers (checkpoints) are garbage.
 */
export async function referencedBlobs(db: Db): Promise<Set<string>> {
  const refs = new Set<string>();
  for (const row of await db.selectFrom('model_versions').select('manifest_json').execute()) {
    for (const f of parseJsonColumn(bundleManifestSchema, row.manifest_json, 'bundle manifest')
      .files)
      refs.add(f.sha256);
  }
  for (const row of await db.selectFrom('datasets').select('blob_sha256').execute())
    refs.add(row.blob_sha256);
  // An image dataset's profile names its thumbnails (its images are named by its rows, which
  // only the artifact store holds: see `imageDatasetRowBlobs`).
  for (const row of await db
    .selectFrom('datasets')
    .select('profile_json')
    .where('profile_json', 'like', '%"images":%')
    .execute()) {
    for (const sha of row.profile_json.match(SHA_IN_TEXT) ?? []) refs.add(sha);
  }
  for (const row of await db
    .selectFrom('runs')
    .selectAll()
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .execute()) {
    for (const sha of JSON.stringify(row).match(SHA_IN_TEXT) ?? []) refs.add(sha);
  }
  return refs;
}

/**
 * The rows blobs of datasets with an image column: each row names its images' blobs, so
 * garbage collection reads these to spare them.
 */
export async function imageDatasetRowBlobs(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('datasets')
    .select('blob_sha256')
    .where('schema_json', 'like', '%"type":"image"%')
    .execute();
  return rows.map((r) => r.blob_sha256);
}

/**
 * When the oldest run still queued or running was created (null when none is). Blobs written
 * since may belong to it before the database names them — a sweep's trial bundles travel in
 * BullMQ job values until the best one is registered — so garbage collection spares them.
 */
export async function oldestActiveRunStart(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.min<string>('created_at').as('oldest'))
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .executeTakeFirst();
  return row?.oldest ? new Date(row.oldest) : null;
}

/** Delete a version row; CONFLICT while an alias points at it. Returns its files' shas. */
export async function deleteVersionRow(
  db: Db,
  model: string,
  version: number,
): Promise<string[] | undefined> {
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `versions:${model}`);
    const aliases = await trx
      .selectFrom('aliases')
      .select('alias')
      .where('model', '=', model)
      .where('version', '=', version)
      .execute();
    if (aliases.length > 0) {
      throw new AppError(
        'CONFLICT',
        `${model} v${version} is what ${aliases.map((a) => `"${a.alias}"`).join(', ')} points at; move or delete the alias first`,
      );
    }
    const row = await trx
      .deleteFrom('model_versions')
      .where('model', '=', model)
      .where('version', '=', version)
      .returning('manifest_json')
      .executeTakeFirst();
    if (!row) return undefined;
    return parseJsonColumn(bundleManifestSchema, row.manifest_json, 'bundle manifest').files.map(
      (f) => f.sha256,
    );
  });
}

/** Delete a dataset version; CONFLICT while a queued or running run trains on it. */
export async function deleteDatasetRow(
  db: Db,
  name: string,
  version: number,
): Promise<string | undefined> {
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `datasets:${name}`);
    const row = await trx
      .selectFrom('datasets')
      .select(['id', 'blob_sha256'])
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) return undefined;
    const active = await trx
      .selectFrom('runs')
      .select('id')
      .where('dataset_id', '=', row.id)
      .where('status', 'in', ACTIVE_RUN_STATUSES)
      .execute();
    if (active.length > 0) {
      throw new AppError(
        'CONFLICT',
        `dataset ${name} v${version} is used by run(s) in progress (${active.map((r) => r.id).join(', ')}); wait for them or cancel them first`,
      );
    }
    await trx.deleteFrom('datasets').where('id', '=', row.id).execute();
    return row.blob_sha256;
  });
}
