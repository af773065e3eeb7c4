import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getDatasetPolicy,
  getDatasetVersion,
  getRun,
  insertDatasetVersion,
  insertRun,
  listDatasetVersions,
  updateRunIf,
  upsertDatasetPolicy,
  type Db,
} from '../src';
import { openTestDb, type TestDb } from './backends';

// Migration 0105 on SQLite by default, Postgres under MLOPS_TEST_INFRA=1 (npm run test:infra).
let t: TestDb;
let db: Db;
const sha = 'b'.repeat(64);

beforeAll(async () => {
  t = await openTestDb();
  db = t.db;
});
afterAll(async () => {
  await t.close();
});

const base = {
  format: 'csv' as const,
  rowCount: 1,
  sizeBytes: 4,
  schema: { columns: [{ name: 'x', type: 'numeric' as const, nullable: false }] },
  profile: { rowCount: 1, columns: [], duplicateRows: 0 },
  blobSha256: sha,
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('dataset validation and policies (0105)', () => {
  it('stores a version with its anomalies, and one without (never checked)', async () => {
    await insertDatasetVersion(db, { ...base, id: 'ds-val-0001', name: 'v', hash: sha });
    const validation = {
      against: { version: 1 },
      anomalies: [
        {
          kind: 'column_missing' as const,
          severity: 'error' as const,
          column: 'y',
          message: 'column "y" is missing',
          observed: null,
          expected: null,
        },
      ],
      checkedAt: '2026-01-02T00:00:00.000Z',
    };
    await insertDatasetVersion(db, {
      ...base,
      id: 'ds-val-0002',
      name: 'v',
      hash: 'c'.repeat(64),
      validation,
    });
    expect((await getDatasetVersion(db, 'v', 1))?.validation).toBeNull();
    const second = await getDatasetVersion(db, 'v', 2);
    expect(second?.validation).toEqual(validation);
    expect(second?.profile.duplicateRows).toBe(0);
    const [listed] = await listDatasetVersions(db, { name: 'v', limit: 1 });
    expect(listed?.validation?.anomalies).toHaveLength(1);
  });

  it('keeps one training policy per dataset name', async () => {
    expect(await getDatasetPolicy(db, 'v')).toBeUndefined();
    const at = '2026-01-03T00:00:00.000Z';
    await upsertDatasetPolicy(db, {
      name: 'v',
      blockTrainingOnAnomalies: 'warning',
      updatedBy: 'a',
      updatedAt: at,
    });
    await upsertDatasetPolicy(db, {
      name: 'v',
      blockTrainingOnAnomalies: 'error',
      updatedBy: 'b',
      updatedAt: at,
    });
    expect(await getDatasetPolicy(db, 'v')).toEqual({
      name: 'v',
      blockTrainingOnAnomalies: 'error',
      updatedBy: 'b',
      updatedAt: at,
    });
  });

  it("stores a run's rows and per-epoch curve", async () => {
    await insertRun(db, {
      id: 'run-val-0001',
      modelName: 'm',
      spec: {
        modelName: 'm',
        dataset: { name: 'v', version: 2 },
        task: 'regression',
        target: 'x',
        preset: 'mlp-small',
        hyperparameters: {
          epochs: 3,
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
      datasetId: 'ds-val-0002',
      datasetHash: sha,
      status: 'running',
      progress: null,
      metrics: {},
      backend: 'cpu',
      error: null,
      modelVersion: null,
      rows: null,
      curve: [],
      createdAt: base.createdAt,
      startedAt: base.createdAt,
      finishedAt: null,
    });
    expect((await getRun(db, 'run-val-0001'))?.curve).toEqual([]);
    const curve = [
      { epoch: 1, loss: 0.9, valLoss: 1 },
      { epoch: 2, loss: 0.5, valLoss: null },
      { epoch: 3, loss: 0.4, valLoss: 0.6 },
    ];
    const rows = { train: 70, validation: 8, test: 20, droppedNullTarget: 2 };
    await updateRunIf(db, 'run-val-0001', ['running'], { status: 'completed', rows, curve });
    expect(await getRun(db, 'run-val-0001')).toMatchObject({ rows, curve });
  });
});
