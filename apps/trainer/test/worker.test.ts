import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, QUEUE_NAMES, TRAIN_JOB_OPTIONS, bundleManifestSchema } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadBundleModel } from '@mlops/ml/bundle';
import { buildApp } from '../src/app';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker } from '../src/worker';
import { queueHarness } from './queue-harness';

const h = queueHarness();
const { prefix, redis, registry, queue, events } = h;
const metrics = createTrainerMetrics();
const logger = createLogger('trainer-test', 'silent');
const worker = createTrainerWorker({
  connection: redis,
  redisPrefix: prefix,
  registry,
  backend: 'cpu',
  logger,
  metrics,
  progressIntervalMs: 0,
});

beforeAll(async () => {
  await initBackend('cpu');
  await h.ready();
});

afterAll(async () => {
  await worker.close();
  await h.close();
});

describe('trainer worker (BullMQ on real Redis, in-memory registry)', () => {
  it('trains a queued run, reports progress, registers a loadable version and completes the run', async () => {
    const run = registry.createRun({
      modelName: 'blobs-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 15, learningRate: 0.02 },
    });
    const tf = getTf();
    const baseline = tf.memory().numTensors;
    const job = await queue.add(
      QUEUE_NAMES.train,
      { runId: run.id },
      { ...TRAIN_JOB_OPTIONS, jobId: run.id },
    );
    const result = (await job.waitUntilFinished(events, 60_000)) as { version: number };
    expect(result.version).toBe(1);
    expect(tf.memory().numTensors).toBe(baseline);

    const done = registry.runs.get(run.id)!;
    expect(done.status).toBe('completed');
    expect(done.backend).toBe('cpu');
    expect(done.metrics.accuracy).toBeGreaterThan(0.9);
    expect(done.modelVersion).toBe(1);
    expect(registry.progress.length).toBeGreaterThan(0);
    expect(registry.progress.at(-1)).toMatchObject({
      epoch: expect.any(Number) as number,
      epochs: 15,
    });

    const version = registry.versions[0]!;
    const manifest = bundleManifestSchema.parse(version.manifest);
    expect(manifest.files.map((f) => f.path)).toEqual([
      'model.json',
      'weights.bin',
      'profile.json',
      'model.onnx',
    ]);
    // Exported in the training thread and verified there on the held-out rows.
    expect(manifest.onnx).toMatchObject({ file: 'model.onnx', primary: false });
    expect(manifest.lineage).toMatchObject({
      runId: run.id,
      datasetId: done.datasetId,
      backend: 'cpu',
      seed: 42,
    });
    const files = new Map(manifest.files.map((f) => [f.path, registry.blobs.get(f.sha256)!]));
    const model = await loadBundleModel(manifest, files);
    model.dispose();

    const progress = (await queue.getJob(run.id))?.progress;
    expect(progress).toMatchObject({ runId: run.id });

    const app = buildApp({ metrics, isReady: () => Promise.resolve(true) });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/trainer_jobs_completed_total 1/);
    await app.close();
  });

  it('fails a run with a bad spec for good (no retry)', async () => {
    const run = registry.createRun({
      modelName: 'blobs-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'no_such_column',
    });
    const job = await queue.add(
      QUEUE_NAMES.train,
      { runId: run.id },
      { ...TRAIN_JOB_OPTIONS, jobId: run.id },
    );
    await expect(job.waitUntilFinished(events, 120_000)).rejects.toThrow(
      /"no_such_column" is not a column/,
    );
    const failed = await queue.getJob(run.id);
    expect(failed?.attemptsMade).toBe(1);
    expect(registry.runs.get(run.id)).toMatchObject({ status: 'failed' });
    expect(registry.runs.get(run.id)?.error).toMatch(/no_such_column/);
  });

  it('stops training when the run is cancelled meanwhile, without retrying', async () => {
    const run = registry.createRun({
      modelName: 'blobs-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 1000, earlyStoppingPatience: 0 },
    });
    // Epochs whose report the registry accepted. The fit does not wait for its reports, so one
    // that piled up behind another may be skipped: the cancel comes with the first from epoch 2.
    const seen: number[] = [];
    let cancelledAt: number | undefined;
    registry.onProgress = (id, progress) => {
      if (id !== run.id) return;
      seen.push(progress.epoch);
      if (progress.epoch >= 2 && cancelledAt === undefined) {
        cancelledAt = progress.epoch;
        registry.cancel(id);
      }
    };
    const tf = getTf();
    const baseline = tf.memory().numTensors;
    const job = await queue.add(
      QUEUE_NAMES.train,
      { runId: run.id },
      { ...TRAIN_JOB_OPTIONS, jobId: run.id },
    );
    await expect(job.waitUntilFinished(events, 120_000)).rejects.toThrow(/was cancelled/);
    registry.onProgress = undefined;
    // Refused from then on: the refusal stopped the fit.
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(cancelledAt);
    expect(cancelledAt).toBeLessThan(1000);
    expect(registry.runs.get(run.id)?.status).toBe('cancelled');
    expect((await queue.getJob(run.id))?.attemptsMade).toBe(1);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(registry.versions.filter((v) => v.manifest.lineage.runId === run.id)).toEqual([]);
  });

  it('retries transient failures and marks the run failed on the last attempt only', async () => {
    const run = registry.createRun({
      modelName: 'blobs-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 2 },
    });
    registry.uploadError = new AppError('UNAVAILABLE', 'blob store is down');
    const statuses: string[] = [];
    worker.on('failed', (job) => {
      if (job?.id === run.id) statuses.push(registry.runs.get(run.id)!.status);
    });
    try {
      const job = await queue.add(
        QUEUE_NAMES.train,
        { runId: run.id },
        { jobId: run.id, attempts: 2 },
      );
      await expect(job.waitUntilFinished(events, 120_000)).rejects.toThrow(/blob store is down/);
    } finally {
      registry.uploadError = undefined;
    }
    expect((await queue.getJob(run.id))?.attemptsMade).toBe(2);
    // QueueEvents may report the final failure before this worker emits its own 'failed'.
    for (let i = 0; i < 100 && statuses.length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    // after the first attempt the run is still running (a retry follows); after the last, failed
    expect(statuses).toEqual(['running', 'failed']);
    expect(registry.runs.get(run.id)?.error).toMatch(/blob store is down/);
  });

  it('rejects a job without a valid run id', async () => {
    const job = await queue.add(QUEUE_NAMES.train, { runId: '../x' }, { ...TRAIN_JOB_OPTIONS });
    await expect(job.waitUntilFinished(events, 120_000)).rejects.toThrow(/valid run id/);
  });

  it('serves health, readiness and metrics', async () => {
    let ready = false;
    const app = buildApp({ metrics, isReady: () => Promise.resolve(ready) });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/trainer_training_duration_seconds_bucket/);
    expect(res.body).toMatch(/trainer_jobs_failed_total\{reason="bad_input"\}/);
    await app.close();
  });
});
