import {
  signatureCompatibilitySchema,
  type SignatureCompatibility,
  bundleManifestSchema,
  modelVersionSchema,
  platformMetricsSchema,
  versionModelTestsSchema,
  type BundleManifest,
  type PlatformMetrics,
  type VersionModelTests,
  type ModelVersion,
} from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { ModelVersionRow } from '../db/tables/model-versions';
import { lockKey, writeTransaction } from '../db/transaction';
import { parseJsonColumn } from './json';

export interface NewVersion {
  model: string;
  manifest: BundleManifest;
  runId: string | null;
  now: string;
  /** Signature compatibility against the champion, stored with the version. */
  compatibility?: SignatureCompatibility | null;
}

/**
 * Number and insert a model version. The number comes from `models.latest_version`, incremented
 * with UPDATE … RETURNING inside one write transaction, so concurrent calls never share a
 * number and numbers have no gaps. With a `runId` the call is idempotent: the version that run
 * already registered is returned with `created: false`.
 */
export async function createVersion(
  db: Db,
  input: NewVersion,
): Promise<{ version: ModelVersion; created: boolean }> {
  const { row, created } = await writeTransaction(db, async (trx) => {
    // Postgres: serialize registrations of this model (SQLite: BEGIN IMMEDIATE already does),
    // so the run-id check below sees a concurrent call's committed version.
    await lockKey(trx, `versions:${input.model}`);
    if (input.runId !== null) {
      const existing = await trx
        .selectFrom('model_versions')
        .selectAll()
        .where('run_id', '=', input.runId)
        .executeTakeFirst();
      if (existing) return { row: existing, created: false };
    }
    await trx
      .insertInto('models')
      .values({
        name: input.model,
        description: '',
        latest_version: 0,
        created_at: input.now,
        updated_at: input.now,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const bumped = await trx
      .updateTable('models')
      .set((eb) => ({ latest_version: eb('latest_version', '+', 1), updated_at: input.now }))
      .where('name', '=', input.model)
      .returning('latest_version')
      .executeTakeFirstOrThrow();
    const inserted = await trx
      .insertInto('model_versions')
      .values({
        model: input.model,
        version: bumped.latest_version,
        run_id: input.runId,
        manifest_json: JSON.stringify(input.manifest),
        created_at: input.now,
        compat_json: input.compatibility ? JSON.stringify(input.compatibility) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row: inserted, created: true };
  });
  return { version: await withAliases(db, row), created };
}

export async function getVersion(
  db: Db,
  model: string,
  version: number,
): Promise<ModelVersion | undefined> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? withAliases(db, row) : undefined;
}

export async function listVersions(
  db: Db,
  opts: { model: string; limit: number },
): Promise<ModelVersion[]> {
  const rows = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', opts.model)
    .orderBy('version', 'desc')
    .limit(opts.limit)
    .execute();
  const aliases = await db
    .selectFrom('aliases')
    .selectAll()
    .where('model', '=', opts.model)
    .execute();
  return rows.map((row) =>
    toModelVersion(
      row,
      aliases.filter((a) => a.version === row.version).map((a) => a.alias),
    ),
  );
}

async function withAliases(db: Db, row: ModelVersionRow): Promise<ModelVersion> {
  const aliases = await db
    .selectFrom('aliases')
    .select('alias')
    .where('model', '=', row.model)
    .where('version', '=', row.version)
    .orderBy('alias')
    .execute();
  return toModelVersion(
    row,
    aliases.map((a) => a.alias),
  );
}

export function toModelVersion(row: ModelVersionRow, aliases: string[]): ModelVersion {
  const manifest = parseJsonColumn(bundleManifestSchema, row.manifest_json, 'bundle manifest');
  return modelVersionSchema.parse({
    model: row.model,
    version: row.version,
    manifest,
    claimedMetrics: manifest.metrics,
    platformMetrics: row.platform_metrics_json
      ? parseJsonColumn(platformMetricsSchema, row.platform_metrics_json, 'platform metrics')
      : null,
    modelTests: row.model_tests_json
      ? parseJsonColumn(versionModelTestsSchema, row.model_tests_json, 'model tests')
      : null,
    aliases,
    createdAt: row.created_at,
  });
}

/** The compatibility recorded at registration (null when there was nothing to compare with). */
export async function getVersionCompatibility(
  db: Db,
  model: string,
  version: number,
): Promise<SignatureCompatibility | null | undefined> {
  const row = await db
    .selectFrom('model_versions')
    .select('compat_json')
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  return row.compat_json
    ? parseJsonColumn(signatureCompatibilitySchema, row.compat_json, 'signature compatibility')
    : null;
}

/**
 * Record what the platform measured for a version (its run's held-out evaluation or a
 * re-evaluation); the newest replaces the previous. False when the version does not exist.
 */
export async function setPlatformMetrics(
  db: Db,
  model: string,
  version: number,
  metrics: PlatformMetrics,
): Promise<boolean> {
  return setVersionJson(db, model, version, {
    platform_metrics_json: JSON.stringify(platformMetricsSchema.parse(metrics)),
  });
}

/** Record the platform's model tests of a version (the newest replaces). False: no such version. */
export async function setModelTests(
  db: Db,
  model: string,
  version: number,
  tests: VersionModelTests,
): Promise<boolean> {
  return setVersionJson(db, model, version, {
    model_tests_json: JSON.stringify(versionModelTestsSchema.parse(tests)),
  });
}

/** Write one JSON column of a version. False: no such version. */
async function setVersionJson(
  db: Db,
  model: string,
  version: number,
  column: { platform_metrics_json: string } | { model_tests_json: string },
): Promise<boolean> {
  const res = await db
    .updateTable('model_versions')
    .set(column)
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
