import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftPolicySchema, driftReportSchema, redisKeys } from '@mlops/contracts';
import type { FeatureRecord, PredictionLogEntry, TensorDriftReference } from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp } from '../src/app';
import { staticProfileSource, type Reference } from '../src/profiles';
import { loggedTable, referenceTable, tensorDriftColumns } from '../src/tensor-drift-columns';
import { everyCaller } from './fixtures';
import { lesionPixels, lesionTensors, loggedRows, trainingReference } from './lesion-summaries';

const prefix = `test-${randomUUID()}`;
const keys = redisKeys(prefix);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const policy = driftPolicySchema.parse({});
let app: FastifyInstance;
let reference: TensorDriftReference;
/** Held-out lesions (another seed, same look) and darker ones, as serving logs them. */
let heldout: FeatureRecord[];
let darker: FeatureRecord[];
let slightlyDarker: FeatureRecord[];
/** The same lesions photographed larger (96 px instead of 64): only their size changed. */
let larger: FeatureRecord[];

let sent = 0;
async function xadd(model: string, rows: FeatureRecord[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const features of rows) {
    const entry: PredictionLogEntry = {
      id: `${model}-${sent++}`,
      model,
      version: 1,
      at: new Date().toISOString(),
      features,
      prediction: { label: 'nevus', probabilities: { keratosis: 0.1, melanoma: 0.1, nevus: 0.8 } },
    };
    pipeline.xadd(keys.predictions(model), '*', 'entry', JSON.stringify(entry));
  }
  await pipeline.exec();
}

async function drift(model: string, window: number) {
  const res = await app.inject({ method: 'GET', url: `/v1/drift/${model}?window=${window}` });
  expect(res.statusCode, res.body).toBe(200);
  return driftReportSchema.parse(res.json());
}

beforeAll(async () => {
  const [train, held, dark, dim, large] = await Promise.all([
    lesionPixels({ count: 240, seed: 5 }),
    lesionPixels({ count: 90, seed: 99 }),
    lesionPixels({ count: 90, seed: 98, brightness: 0.6 }),
    lesionPixels({ count: 90, seed: 97, brightness: 0.85 }),
    lesionPixels({ count: 90, seed: 96, size: 96 }),
  ]);
  reference = trainingReference(train);
  heldout = loggedRows(held);
  darker = loggedRows(dark);
  slightlyDarker = loggedRows(dim);
  larger = loggedRows(large);
  const trained: Reference = {
    columns: [],
    profile: { rowCount: 0, columns: [] },
    task: 'classification',
  };
  app = await buildApp({
    callers: everyCaller,
    redisUrl: REDIS_URL,
    prefix,
    profiles: staticProfileSource({
      // A trained lesion classifier (its bundle has drift-reference.json) …
      'derm@1': { ...trained, tensors: lesionTensors, tensorReference: reference },
      // … and the same model imported without one.
      'derm-import@1': { ...trained, tensors: lesionTensors },
    }),
    policy,
    windowRetain: 2_000,
    pollMs: 60_000,
    alertCooldownMs: 60_000,
    predictionBaselineRows: 60,
    logger: createLogger('monitor-image-drift-test', 'silent'),
  });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  await redis.quit();
});

describe('image drift of lesion images against the training reference', () => {
  it('does not flag held-out images of the training distribution', async () => {
    await xadd('derm', heldout);
    const report = await drift('derm', 90);
    expect(report).toMatchObject({
      insufficientData: false,
      reference: 'training',
      referenceRows: 240,
      datasetDrift: false,
    });
    expect(report.window.rows).toBe(90);
    const embedding = report.columns.find((c) => c.column === 'image.embedding');
    expect(embedding).toMatchObject({ type: 'embedding', method: 'mmd', drifted: false });
    expect(report.columns.map((c) => c.column)).toEqual([
      'image.mean_c0',
      'image.mean_c1',
      'image.mean_c2',
      'image.std_c0',
      'image.std_c1',
      'image.std_c2',
      'image.width',
      'image.height',
      'image.embedding',
    ]);
    expect(report.driftedColumns.length).toBeLessThanOrEqual(1);
  });

  it('flags darker images: every channel mean and the embedding', async () => {
    await xadd('derm', darker);
    const report = await drift('derm', 90);
    expect(report).toMatchObject({ reference: 'training', datasetDrift: true });
    expect(report.driftedColumns).toEqual(
      expect.arrayContaining([
        'image.mean_c0',
        'image.mean_c1',
        'image.mean_c2',
        'image.embedding',
      ]),
    );
    const embedding = report.columns.find((c) => c.column === 'image.embedding')!;
    // No permutation of 200 reaches the observed MMD²: the smallest p-value the test can give.
    expect(embedding.score).toBe(1 / 201);
    expect(embedding.statistic).toBeGreaterThan(0);
  });

  it('flags images only 15% darker', async () => {
    await xadd('derm', slightlyDarker);
    const report = await drift('derm', 90);
    expect(report.datasetDrift).toBe(true);
    expect(report.driftedColumns).toContain('image.embedding');
  });

  it('flags images sent at another size, by their size alone', async () => {
    await xadd('derm', larger);
    const report = await drift('derm', 90);
    expect(report.driftedColumns).toEqual(expect.arrayContaining(['image.width', 'image.height']));
    for (const c of report.columns.filter((c) => c.column.startsWith('image.mean')))
      expect(c.drifted).toBe(false);
  });

  it('falls back to the first window for a version without a training reference', async () => {
    await xadd('derm-import', heldout.slice(0, 60));
    const filling = await drift('derm-import', 90);
    expect(filling).toMatchObject({
      reference: 'first_window',
      insufficientData: true,
      referenceRows: 60,
    });
    await xadd('derm-import', darker.slice(0, 45));
    const report = await drift('derm-import', 45);
    expect(report).toMatchObject({
      reference: 'first_window',
      insufficientData: false,
      datasetDrift: true,
    });
    expect(report.window.rows).toBe(45);
    expect(report.driftedColumns).toContain('image.embedding');
  });
});

describe('share of drifted components, the other embedding test', () => {
  const share = driftPolicySchema.parse({ embeddingMethod: 'share_of_drifted_components' });
  const embeddingOf = (rows: FeatureRecord[]) =>
    tensorDriftColumns(lesionTensors, referenceTable(reference), loggedTable(rows), share).find(
      (c) => c.column === 'image.embedding',
    )!;

  it('names its test and compares the share with embeddingComponentShare', () => {
    const same = embeddingOf(heldout);
    expect(same).toMatchObject({
      type: 'embedding',
      method: 'share_of_drifted_components',
      threshold: 0.2,
      drifted: false,
    });
    expect(same.score).toBeLessThan(0.2);
    const dark = embeddingOf(darker);
    expect(dark.drifted).toBe(true);
    expect(dark.score).toBeGreaterThan(0.9);
  });
});
