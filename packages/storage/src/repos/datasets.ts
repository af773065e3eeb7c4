import {
  datasetProfileSchema,
  datasetSchemaSchema,
  datasetValidationSchema,
  datasetVersionSchema,
  datasetVersionSummarySchema,
  type DatasetVersion,
  type DatasetVersionSummary,
} from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { DatasetRow } from '../db/tables/datasets';
import { lockKey, writeTransaction } from '../db/transaction';
import { parseJsonColumn } from './json';

export interface NewDataset {
  id: string;
  name: string;
  hash: string;
  format: DatasetVersion['format'];
  rowCount: number;
  sizeBytes: number;
  schema: DatasetVersion['schema'];
  profile: DatasetVersion['profile'];
  /** The anomalies against the previous version (null: not checked). */
  validation?: DatasetVersion['validation'];
  blobSha256: string;
  createdAt: string;
}

/**
 * Insert a dataset version numbered max+1 for its name, unless a version with the same content
 * hash exists already: then that one is returned (`created: false`), which makes uploads
 * idempotent even when two identical uploads race.
 */
export async function insertDatasetVersion(
  db: Db,
  input: NewDataset,
): Promise<{ dataset: DatasetVersion; created: boolean }> {
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `datasets:${input.name}`);
    const existing = await findDatasetByHash(trx, input.name, input.hash);
    if (existing) return { dataset: existing, created: false };
    const last = await trx
      .selectFrom('datasets')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('name', '=', input.name)
      .executeTakeFirst();
    const version = Number(last?.max ?? 0) + 1;
    const row = await trx
      .insertInto('datasets')
      .values({
        id: input.id,
        name: input.name,
        version,
        hash: input.hash,
        format: input.format,
        row_count: input.rowCount,
        size_bytes: input.sizeBytes,
        schema_json: JSON.stringify(input.schema),
        profile_json: JSON.stringify(input.profile),
        validation_json: input.validation ? JSON.stringify(input.validation) : null,
        blob_sha256: input.blobSha256,
        created_at: input.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { dataset: toDatasetVersion(row), created: true };
  });
}

export async function findDatasetByHash(
  db: Db,
  name: string,
  hash: string,
): Promise<DatasetVersion | undefined> {
  const row = await db
    .selectFrom('datasets')
    .selectAll()
    .where('name', '=', name)
    .where('hash', '=', hash)
    .orderBy('version', 'asc')
    .executeTakeFirst();
  return row ? toDatasetVersion(row) : undefined;
}

/** A version by number, or the latest version when `version` is undefined. */
export async function getDatasetVersion(
  db: Db,
  name: string,
  version?: number,
): Promise<DatasetVersion | undefined> {
  const row = await getDatasetRow(db, name, version);
  return row ? toDatasetVersion(row) : undefined;
}

/** The raw row (with the blob sha) for streaming the stored rows. */
export async function getDatasetRow(
  db: Db,
  name: string,
  version?: number,
): Promise<DatasetRow | undefined> {
  let q = db.selectFrom('datasets').selectAll().where('name', '=', name);
  q = version === undefined ? q.orderBy('version', 'desc') : q.where('version', '=', version);
  return q.executeTakeFirst();
}

export async function getDatasetById(db: Db, id: string): Promise<DatasetVersion | undefined> {
  const row = await db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDatasetVersion(row) : undefined;
}

export async function listDatasetVersions(
  db: Db,
  opts: { name?: string; limit: number },
): Promise<DatasetVersionSummary[]> {
  let q = db.selectFrom('datasets').selectAll();
  if (opts.name !== undefined) q = q.where('name', '=', opts.name);
  const rows = await q.orderBy('name').orderBy('version', 'desc').limit(opts.limit).execute();
  return rows.map((row) => datasetVersionSummarySchema.parse(summaryOf(row)));
}

export async function countDatasets(db: Db): Promise<number> {
  const r = await db
    .selectFrom('datasets')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

function summaryOf(row: DatasetRow): Omit<DatasetVersion, 'profile'> {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    hash: row.hash,
    format: row.format as DatasetVersion['format'],
    rowCount: row.row_count,
    sizeBytes: Number(row.size_bytes),
    schema: parseJsonColumn(datasetSchemaSchema, row.schema_json, 'dataset schema'),
    validation: row.validation_json
      ? parseJsonColumn(datasetValidationSchema, row.validation_json, 'dataset validation')
      : null,
    createdAt: row.created_at,
  };
}

export function toDatasetVersion(row: DatasetRow): DatasetVersion {
  return datasetVersionSchema.parse({
    ...summaryOf(row),
    profile: parseJsonColumn(datasetProfileSchema, row.profile_json, 'dataset profile'),
  });
}
