import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModelRow,
  createVersion,
  deleteModelRow,
  deleteModelTag,
  getModel,
  modelTags,
  setModelDescription,
  setModelTag,
  setVersionDescription,
  versionDescriptions,
  versionKeys,
  versionOfRun,
  type Db,
} from '../src';
import { openTestDb, type TestDb } from './backends';
import { manifestWith } from './fixtures';

// SQLite by default, Postgres under MLOPS_TEST_INFRA=1 (npm run test:infra).
let t: TestDb;
let db: Db;
const now = () => new Date().toISOString();

beforeAll(async () => {
  t = await openTestDb();
  db = t.db;
});
afterAll(async () => {
  await t.close();
});

describe('model metadata (migration 0104)', () => {
  it('creates an empty model once, then numbers its first version 1', async () => {
    expect(await createModelRow(db, { name: 'meta', description: 'd', now: now() })).toBe(true);
    expect(await createModelRow(db, { name: 'meta', description: 'x', now: now() })).toBe(false);
    expect(await getModel(db, 'meta')).toMatchObject({ latestVersion: 0, description: 'd' });
    const { version } = await createVersion(db, {
      model: 'meta',
      manifest: manifestWith({ sha256: 'b'.repeat(64), size: 1 }),
      runId: null,
      now: now(),
    });
    expect(version.version).toBe(1);
    expect(await versionOfRun(db, 'no-such-run')).toBeUndefined();
  });

  it('sets descriptions of a model and a version; unknown ones report false', async () => {
    expect(await setModelDescription(db, { name: 'meta', description: 'new', now: now() })).toBe(
      true,
    );
    expect(await setModelDescription(db, { name: 'nope', description: '', now: now() })).toBe(
      false,
    );
    expect(await setVersionDescription(db, { model: 'meta', version: 1, description: 'v1' })).toBe(
      true,
    );
    expect(await setVersionDescription(db, { model: 'meta', version: 9, description: 'x' })).toBe(
      false,
    );
    expect([...(await versionDescriptions(db, 'meta'))]).toEqual([[1, 'v1']]);
  });

  it('upserts and deletes tags per version (0 = the model)', async () => {
    await setModelTag(db, { model: 'meta', version: 0, key: 'team', value: 'a' });
    await setModelTag(db, { model: 'meta', version: 0, key: 'team', value: 'b' });
    await setModelTag(db, { model: 'meta', version: 1, key: 'team', value: 'c' });
    expect(await modelTags(db, 'meta')).toEqual([
      { version: 0, key: 'team', value: 'b' },
      { version: 1, key: 'team', value: 'c' },
    ]);
    expect(await deleteModelTag(db, { model: 'meta', version: 1, key: 'team' })).toBe(true);
    expect(await deleteModelTag(db, { model: 'meta', version: 1, key: 'team' })).toBe(false);
  });

  it('pages version keys by model, newest first', async () => {
    await createVersion(db, {
      model: 'meta',
      manifest: manifestWith({ sha256: 'b'.repeat(64), size: 1 }),
      runId: null,
      now: now(),
    });
    const first = await versionKeys(db, { model: 'meta', limit: 1 });
    expect(first).toEqual([{ model: 'meta', version: 2 }]);
    expect(await versionKeys(db, { model: 'meta', after: first[0], limit: 5 })).toEqual([
      { model: 'meta', version: 1 },
    ]);
  });

  it('refuses to delete a model that still has versions', async () => {
    await expect(deleteModelRow(db, 'meta')).rejects.toThrow(/still has versions/);
    await createModelRow(db, { name: 'empty', description: '', now: now() });
    await setModelTag(db, { model: 'empty', version: 0, key: 'k', value: 'v' });
    expect(await deleteModelRow(db, 'empty')).toBe(true);
    expect(await modelTags(db, 'empty')).toEqual([]);
    expect(await getModel(db, 'empty')).toBeUndefined();
  });
});
