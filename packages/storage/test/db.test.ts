import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '@mlops/contracts';
import {
  aliasHistory,
  createVersion,
  deleteAlias,
  getModel,
  getRun,
  insertDatasetVersion,
  insertRun,
  listVersions,
  migrateToLatest,
  setAlias,
  updateRunIf,
  type Db,
} from '../src';
import { openTestDb, type TestDb } from './backends';
import { manifestWith } from './fixtures';

// SQLite by default, Postgres under MLOPS_TEST_INFRA=1 (npm run test:infra).
let t: TestDb;
let db: Db;
const now = () => new Date().toISOString();
const sha = 'a'.repeat(64);

beforeAll(async () => {
  t = await openTestDb();
  db = t.db;
});
afterAll(async () => {
  await t.close();
});

describe('migrations', () => {
  it('are applied once; running again is a no-op', async () => {
    expect(await migrateToLatest(db)).toEqual([]);
  });
});

describe('datasets', () => {
  const base = {
    format: 'csv' as const,
    rowCount: 1,
    sizeBytes: 4,
    schema: { columns: [{ name: 'x', type: 'numeric' as const, nullable: false }] },
    profile: { rowCount: 0, columns: [] },
    blobSha256: sha,
  };
  it('numbers versions per name and is idempotent on the content hash', async () => {
    const a = await insertDatasetVersion(db, {
      ...base,
      id: 'dataset-0001',
      name: 'd',
      hash: sha,
      createdAt: now(),
    });
    const b = await insertDatasetVersion(db, {
      ...base,
      id: 'dataset-0002',
      name: 'd',
      hash: 'b'.repeat(64),
      createdAt: now(),
    });
    const again = await insertDatasetVersion(db, {
      ...base,
      id: 'dataset-0003',
      name: 'd',
      hash: sha,
      createdAt: now(),
    });
    expect([a.dataset.version, b.dataset.version]).toEqual([1, 2]);
    expect(again).toMatchObject({ created: false, dataset: { id: 'dataset-0001', version: 1 } });
  });
});

describe('versions', () => {
  it('20 concurrent createVersion calls get 1..20 without gaps or duplicates', async () => {
    const manifest = manifestWith({ sha256: sha, size: 1 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        createVersion(db, { model: 'm', manifest, runId: null, now: now() }),
      ),
    );
    const numbers = results.map((r) => r.version.version).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await getModel(db, 'm'))?.latestVersion).toBe(20);
    expect(await listVersions(db, { model: 'm', limit: 500 })).toHaveLength(20);
  });

  it('is idempotent on runId', async () => {
    const manifest = manifestWith({ sha256: sha, size: 1 });
    const [a, b] = await Promise.all([
      createVersion(db, { model: 'idem', manifest, runId: 'run-00000001', now: now() }),
      createVersion(db, { model: 'idem', manifest, runId: 'run-00000001', now: now() }),
    ]);
    expect(a.version.version).toBe(1);
    expect(b.version.version).toBe(1);
    expect([a.created, b.created].sort()).toEqual([false, true]);
  });
});

describe('runs', () => {
  it('transitions only from the allowed statuses', async () => {
    const run: Run = {
      id: 'run-00000002',
      modelName: 'm',
      spec: {
        modelName: 'm',
        dataset: { name: 'd' },
        task: 'regression',
        target: 'y',
        preset: 'mlp-small',
        hyperparameters: {
          epochs: 1,
          batchSize: 1,
          learningRate: 0.1,
          dropout: 0,
          l2: 0,
          earlyStoppingPatience: 0,
          testFraction: 0.2,
          validationFraction: 0.1,
        },
        seed: 42,
        backend: 'auto',
      },
      datasetId: 'dataset-0001',
      datasetHash: sha,
      status: 'queued',
      progress: null,
      metrics: {},
      backend: null,
      error: null,
      modelVersion: null,
      rows: null,
      curve: [],
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
    };
    await insertRun(db, run);
    expect(await updateRunIf(db, run.id, ['running'], { status: 'completed' })).toBeUndefined();
    const started = await updateRunIf(db, run.id, ['queued'], {
      status: 'running',
      backend: 'cpu',
      startedAt: now(),
    });
    expect(started).toMatchObject({ status: 'running', backend: 'cpu' });
    await updateRunIf(db, run.id, ['running'], {
      status: 'completed',
      metrics: { rmse: 1 },
      modelVersion: 1,
    });
    expect(
      await updateRunIf(db, run.id, ['queued', 'running'], { status: 'failed' }),
    ).toBeUndefined();
    expect((await getRun(db, run.id))?.status).toBe('completed');
  });
});

describe('aliases', () => {
  it('records every move in the audit history', async () => {
    const first = await setAlias(db, {
      model: 'm',
      alias: 'champion',
      version: 1,
      actor: 't',
      now: now(),
    });
    const second = await setAlias(db, {
      model: 'm',
      alias: 'champion',
      version: 2,
      actor: 't',
      now: now(),
    });
    const same = await setAlias(db, {
      model: 'm',
      alias: 'champion',
      version: 2,
      actor: 't',
      now: now(),
    });
    const gone = await deleteAlias(db, { model: 'm', alias: 'champion', actor: 't', now: now() });
    expect([first.from, first.to, second.from, second.to]).toEqual([null, 1, 1, 2]);
    expect(same.changed).toBe(false);
    expect([gone.from, gone.to, gone.changed]).toEqual([2, null, true]);
    const history = await aliasHistory(db, 'm', 'champion');
    expect(history.map((h) => [h.from_version, h.to_version])).toEqual([
      [null, 1],
      [1, 2],
      [2, null],
    ]);
  });
});
