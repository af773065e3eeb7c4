import { sql } from 'kysely';
import type { DatasetVersionSummary, Model, ModelVersion } from '@mlops/contracts';
import type { Db } from '../db/connection';
import { getDatasetVersion } from './datasets';
import { getModel } from './models';
import { getVersion } from './versions';

/** A LIKE pattern matching `text` anywhere, with `%`, `_` and `\` taken literally. */
function containsPattern(text: string) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface Page<T, C> {
  items: T[];
  nextCursor: C | null;
}

/** Models by name substring and/or having an alias, ordered by name; cursor = last name. */
export async function searchModels(
  db: Db,
  opts: { nameContains?: string; alias?: string; cursor?: string; limit: number },
): Promise<Page<Model, string>> {
  let q = db.selectFrom('models').select('name');
  if (opts.nameContains)
    q = q.where(sql<boolean>`name like ${containsPattern(opts.nameContains)} escape '\\'`);
  if (opts.alias)
    q = q.where(
      'name',
      'in',
      db.selectFrom('aliases').select('model').where('alias', '=', opts.alias),
    );
  if (opts.cursor !== undefined) q = q.where('name', '>', opts.cursor);
  const rows = await q
    .orderBy('name')
    .limit(opts.limit + 1)
    .execute();
  const page = rows.slice(0, opts.limit);
  const items: Model[] = [];
  for (const r of page) {
    const m = await getModel(db, r.name);
    if (m) items.push(m);
  }
  return { items, nextCursor: rows.length > opts.limit ? (page.at(-1)?.name ?? null) : null };
}

/**
 * Versions of a model, newest first, optionally only those whose metric lies in [min, max]
 * (metrics live in the manifest JSON, so the filter runs here, page by page); cursor = the
 * last version number returned.
 */
export async function searchVersions(
  db: Db,
  opts: {
    model: string;
    metric?: { name: string; min?: number | undefined; max?: number | undefined };
    cursor?: number;
    limit: number;
  },
): Promise<Page<ModelVersion, number>> {
  const items: ModelVersion[] = [];
  // Postgres `integer`: the open upper bound must fit 32 bits.
  let before = opts.cursor ?? 2_147_483_647;
  const batch = Math.max(opts.limit * 4, 50);
  for (;;) {
    const rows = await db
      .selectFrom('model_versions')
      .select('version')
      .where('model', '=', opts.model)
      .where('version', '<', before)
      .orderBy('version', 'desc')
      .limit(batch)
      .execute();
    for (const r of rows) {
      before = r.version;
      const v = await getVersion(db, opts.model, r.version);
      if (!v || !matches(v, opts.metric)) continue;
      items.push(v);
      if (items.length === opts.limit + 1) {
        const page = items.slice(0, opts.limit);
        return { items: page, nextCursor: page.at(-1)?.version ?? null };
      }
    }
    if (rows.length < batch) return { items, nextCursor: null };
  }
}

function matches(
  v: ModelVersion,
  metric?: { name: string; min?: number | undefined; max?: number | undefined },
) {
  if (!metric) return true;
  const value = v.manifest.metrics[metric.name];
  if (value === undefined) return false;
  return (
    (metric.min === undefined || value >= metric.min) &&
    (metric.max === undefined || value <= metric.max)
  );
}

/** Dataset versions by name substring, ordered by name then version; cursor = `name@version`. */
export async function searchDatasets(
  db: Db,
  opts: { nameContains?: string; cursor?: string; limit: number },
): Promise<Page<DatasetVersionSummary, string>> {
  let q = db.selectFrom('datasets').select(['name', 'version']);
  if (opts.nameContains)
    q = q.where(sql<boolean>`name like ${containsPattern(opts.nameContains)} escape '\\'`);
  if (opts.cursor !== undefined) {
    const [name = '', version = '0'] = opts.cursor.split('@');
    q = q.where((eb) =>
      eb.or([
        eb('name', '>', name),
        eb.and([eb('name', '=', name), eb('version', '>', Number(version))]),
      ]),
    );
  }
  const rows = await q
    .orderBy('name')
    .orderBy('version')
    .limit(opts.limit + 1)
    .execute();
  const page = rows.slice(0, opts.limit);
  const items: DatasetVersionSummary[] = [];
  for (const r of page) {
    const found = await getDatasetVersion(db, r.name, r.version);
    if (!found) continue;
    const { profile: _profile, ...summary } = found;
    items.push(summary);
  }
  const last = page.at(-1);
  return {
    items,
    nextCursor: rows.length > opts.limit && last ? `${last.name}@${last.version}` : null,
  };
}
