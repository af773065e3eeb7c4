import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  driftPolicySchema,
  driftReportSchema,
  predictionDriftSchema,
  redisKeys,
  tensorSignatureSchema,
} from '@mlops/contracts';
import type { FeatureRecord, PredictionLogEntry } from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp } from '../src/app';
import { staticProfileSource } from '../src/profiles';
import { everyCaller, normals, rng } from './fixtures';

const prefix = `test-${randomUUID()}`;
const keys = redisKeys(prefix);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
let app: FastifyInstance;

const BASELINE = 50;
/** A 32×32 RGB image model scaled to [0, 1], as an image import declares it. */
const tensors = tensorSignatureSchema.parse({
  inputs: [
    {
      kind: 'image',
      name: 'image',
      dtype: 'float32',
      shape: [-1, 32, 32, 3],
      decoding: { channels: 3, height: 32, width: 32, scale: 1 / 255 },
    },
  ],
  outputs: [{ name: 'probs', dtype: 'float32', shape: [-1, 2], role: 'probabilities' }],
});

/**
 * What serving's payload log holds for an image (apps/serving/src/inference/tensor-log.ts): a
 * hash, the shape and per-channel mean/std, never the pixels. `darken` lowers every mean.
 */
function imageRows(n: number, seed: number, darken = 0): FeatureRecord[] {
  const u = rng(seed);
  const means = [0, 1, 2].map((c) => normals(n, seed * 10 + c, 0.5 - darken, 0.06));
  const stds = [0, 1, 2].map((c) => normals(n, seed * 10 + 5 + c, 0.2, 0.02));
  return Array.from({ length: n }, (_, i) => {
    const row: FeatureRecord = {
      'image.sha256': Math.floor(u() * 2 ** 52)
        .toString(16)
        .padStart(64, '0'),
      'image.shape': '32x32x3',
    };
    for (let c = 0; c < 3; c++) {
      row[`image.mean_c${c}`] = Math.round(means[c]![i]! * 1e4) / 1e4;
      row[`image.std_c${c}`] = Math.round(stds[c]![i]! * 1e4) / 1e4;
    }
    return row;
  });
}

let sent = 0;
async function xadd(rows: FeatureRecord[]): Promise<void> {
  const u = rng(sent + 1);
  const pipeline = redis.pipeline();
  for (const features of rows) {
    const cat = u() < 0.5;
    const entry: PredictionLogEntry = {
      id: `cam-1-${sent++}`,
      model: 'cam',
      version: 1,
      at: new Date().toISOString(),
      features,
      prediction: {
        label: cat ? 'cat' : 'dog',
        probabilities: cat ? { cat: 0.8, dog: 0.2 } : { cat: 0.3, dog: 0.7 },
      },
    };
    pipeline.xadd(keys.predictions('cam'), '*', 'entry', JSON.stringify(entry));
  }
  await pipeline.exec();
}

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json<unknown>() };
}

beforeAll(async () => {
  app = await buildApp({
    callers: everyCaller,
    redisUrl: REDIS_URL,
    prefix,
    // A tensor model's reference as registryProfileSource builds it: no scalar columns, no
    // training profile (an imported model has none), the tensor signature.
    profiles: staticProfileSource({
      'cam@1': {
        columns: [],
        profile: { rowCount: 0, columns: [] },
        tensors,
        task: 'classification',
      },
    }),
    policy: driftPolicySchema.parse({}),
    windowRetain: 2_000,
    pollMs: 100,
    alertCooldownMs: 60_000,
    predictionBaselineRows: BASELINE,
    logger: createLogger('monitor-test', 'silent'),
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  await redis.quit();
});

describe('monitoring a tensor (image) model from its logged image statistics', () => {
  it('answers "insufficient data" while the first window (the reference) is filling', async () => {
    await xadd(imageRows(BASELINE - 10, 1));
    const { status, body } = await get('/v1/drift/cam');
    expect(status).toBe(200);
    const report = driftReportSchema.parse(body);
    expect(report).toMatchObject({
      model: 'cam',
      version: 1,
      insufficientData: true,
      reference: 'first_window',
    });
    expect(report.referenceRows).toBe(BASELINE - 10);
  });

  it('tests each channel mean and std against the first window: same distribution, no drift', async () => {
    await xadd(imageRows(10, 2));
    await xadd(imageRows(200, 3));
    const { status, body } = await get('/v1/drift/cam?window=200');
    expect(status).toBe(200);
    const report = driftReportSchema.parse(body);
    expect(report.insufficientData).toBe(false);
    expect(report.referenceRows).toBe(BASELINE);
    expect(report.window.rows).toBe(200);
    expect(report.columns.map((c) => [c.column, c.method])).toEqual([
      ['image.mean_c0', 'ks'],
      ['image.mean_c1', 'ks'],
      ['image.mean_c2', 'ks'],
      ['image.std_c0', 'ks'],
      ['image.std_c1', 'ks'],
      ['image.std_c2', 'ks'],
    ]);
    expect(report.driftedColumns).toEqual([]);
    expect(report.datasetDrift).toBe(false);
  });

  it('flags every channel mean of a darker window, not the contrast', async () => {
    await xadd(imageRows(200, 4, 0.15));
    const report = driftReportSchema.parse((await get('/v1/drift/cam?window=200')).body);
    expect(report.insufficientData).toBe(false);
    expect(report.driftedColumns).toEqual(['image.mean_c0', 'image.mean_c1', 'image.mean_c2']);
    for (const c of report.columns.filter((c) => c.column.startsWith('image.mean')))
      expect(c.score).toBeLessThan(1e-6);
    expect(report.datasetDrift).toBe(true);
  });

  it('computes prediction drift as for a tabular model', async () => {
    const res = await get(
      `/trpc/predictionDrift?input=${encodeURIComponent(JSON.stringify({ model: 'cam' }))}`,
    );
    expect(res.status).toBe(200);
    const drift = predictionDriftSchema.parse(
      (res.body as { result: { data: unknown } }).result.data,
    );
    expect(drift.referenceRows).toBe(BASELINE);
    expect(drift.report).toMatchObject({ insufficientData: false, datasetDrift: false });
    expect(drift.report!.columns.map((c) => c.column)).toEqual(['prediction']);
  });
});
