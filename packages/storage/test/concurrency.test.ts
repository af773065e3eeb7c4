import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVersion,
  getModel,
  insertDatasetVersion,
  listVersions,
  migrateToLatest,
  setAlias,
  aliasHistory,
} from '../src';
import { openTestDb, type DbKind, type TestDb } from './backends';
import { manifestWith } from './fixtures';

// Runs on BOTH databases in every test run: numbering is where SQLite's single writer and
// Postgres' concurrent transactions differ, so each needs its own proof.
const now = () => new Date().toISOString();
const sha = 'c'.repeat(64);

describe.each<DbKind>(['sqlite', 'postgres'])('on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('migrations are applied once; running them again is a no-op', async () => {
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('50 concurrent registrations of one model get versions 1..50, no gaps, no duplicates', async () => {
    const manifest = manifestWith({ sha256: sha, size: 1 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        createVersion(t.db, { model: 'race', manifest, runId: null, now: now() }),
      ),
    );
    const numbers = results.map((r) => r.version.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await getModel(t.db, 'race'))?.latestVersion).toBe(50);
    expect(await listVersions(t.db, { model: 'race', limit: 500 })).toHaveLength(50);
  });

  it('concurrent registrations for the same run create one version', async () => {
    const manifest = manifestWith({ sha256: sha, size: 1 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        createVersion(t.db, { model: 'idem', manifest, runId: 'run-concurrent-1', now: now() }),
      ),
    );
    expect(new Set(results.map((r) => r.version.version))).toEqual(new Set([1]));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('20 concurrent dataset uploads of one name get versions 1..20', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        insertDatasetVersion(t.db, {
          id: `dataset-race-${String(i).padStart(4, '0')}`,
          name: 'race',
          hash: i.toString(16).padStart(64, '0'),
          format: 'csv',
          rowCount: 1,
          sizeBytes: 3_000_000_000,
          schema: { columns: [{ name: 'x', type: 'numeric', nullable: false }] },
          profile: { rowCount: 0, columns: [] },
          blobSha256: sha,
          createdAt: now(),
        }),
      ),
    );
    const numbers = results.map((r) => r.dataset.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // bigint columns come back as numbers on both databases.
    expect(results[0]?.dataset.sizeBytes).toBe(3_000_000_000);
  });

  it('concurrent alias moves are each audited with the right from/to', async () => {
    await Promise.all(
      [1, 2, 3, 4, 5].map((version) =>
        setAlias(t.db, { model: 'race', alias: 'champion', version, actor: 'test', now: now() }),
      ),
    );
    const history = await aliasHistory(t.db, 'race', 'champion');
    expect(history).toHaveLength(5);
    // Each move starts where the previous one ended: the trail is a chain.
    for (let i = 1; i < history.length; i++)
      expect(history[i]?.from_version).toBe(history[i - 1]?.to_version);
  });
});
