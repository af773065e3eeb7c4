import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, redisKeys } from '@mlops/contracts';
import { toAppError } from '@mlops/client';
import { createLogger } from '@mlops/config';
import { initBackend } from '@mlops/ml/backend';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker, type TrainerWorker, type TrainerWorkerOptions } from '../src/worker';
import { blobRows } from './data';
import { REDIS_URL, startRegistry, toCsv, waitForRun, type Harness } from './registry-harness';

let h: Harness;
let worker: TrainerWorker | undefined;
let queue: Queue;
let events: QueueEvents;
const stalled: string[] = [];
const completed: string[] = [];

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  await h.client.uploadDataset('blobs', toCsv(blobRows(150)), { format: 'csv' });
  await h.client.uploadDataset('many', toCsv(blobRows(3000, 5)), { format: 'csv' });
  const keys = redisKeys(h.prefix);
  queue = new Queue(QUEUE_NAMES.train, { connection: { url: REDIS_URL }, prefix: keys.bullPrefix });
  events = new QueueEvents(QUEUE_NAMES.train, {
    connection: { url: REDIS_URL },
    prefix: keys.bullPrefix,
  });
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  events.on('completed', ({ jobId }) => completed.push(jobId));
  await events.waitUntilReady();
});

afterAll(async () => {
  await worker?.close();
  await queue?.close();
  await events?.close();
  await h?.close();
});

/** The worker of the tests below; `extra` changes it (each test that needs one starts its own). */
async function startWorker(extra: Partial<TrainerWorkerOptions> = {}): Promise<TrainerWorker> {
  await worker?.close();
  worker = createTrainerWorker({
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    redisPrefix: h.prefix,
    registry: h.client,
    backend: 'cpu',
    logger: createLogger('trainer-cancel-test', 'silent'),
    metrics: createTrainerMetrics(),
    progressIntervalMs: 0,
    checkpointIntervalMs: 0,
    // Every dataset here takes the streaming path (the in-memory one is covered elsewhere).
    streamRowsAbove: 100,
    // Far shorter than the jobs below: they must keep their lock by renewing it. 2 s rather
    // than less: at load 30 on 2 cores a renewal can miss a 1 s lock with nothing wrong.
    lockDurationMs: 2_000,
    stalledIntervalMs: 1_000,
    ...extra,
  });
  return worker;
}

describe('cancellation and long jobs (real registry, BullMQ on real Redis)', () => {
  it('cancels a queued run: the job leaves the queue and never trains', async () => {
    const run = await h.client.api.runs.create.mutate({
      modelName: 'queued-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
    });
    const cancelled = await h.client.api.runs.cancel.mutate({ id: run.id, reason: 'not needed' });
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled: not needed' });
    expect(await queue.getJob(run.id)).toBeUndefined();
    // A finished run cannot be cancelled again; an unknown one is NOT_FOUND.
    const again = await h.client.api.runs.cancel.mutate({ id: run.id }).catch(toAppError);
    expect(again).toMatchObject({ code: 'PRECONDITION_FAILED' });
    const unknown = await h.client.api.runs.cancel.mutate({ id: randomUUID() }).catch(toAppError);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await h.client.api.runs.cancel.mutate({ id: '../x' }).catch(toAppError);
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('keeps the lock of a job that runs far longer than the lock duration', async () => {
    await startWorker();
    const run = await h.client.api.runs.create.mutate({
      modelName: 'long-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 150, earlyStoppingPatience: 0 },
    });
    const job = await queue.getJob(run.id);
    await job?.waitUntilFinished(events, 120_000);
    const done = await h.client.api.runs.get.query({ id: run.id });
    expect(done.status).toBe('completed');
    const finished = await queue.getJob(run.id);
    expect(finished?.attemptsMade).toBe(1);
    // Elapsed time covers many lock durations (2 s) — measured, not asserted on.
    expect(stalled).not.toContain(run.id);
  });

  it('stops a running fit within the epoch when the run is cancelled', async () => {
    const run = await h.client.api.runs.create.mutate({
      modelName: 'cancel-model',
      dataset: { name: 'many' },
      task: 'classification',
      target: 'species',
      // One epoch of ~2000 single-row batches: only a per-batch stop ends it early.
      hyperparameters: { epochs: 1, batchSize: 1 },
    });
    await waitForRun(h.client, run.id, (r) => r.status === 'running', 'start');
    await new Promise((r) => setTimeout(r, 300));
    await h.client.api.runs.cancel.mutate({ id: run.id });
    const job = await queue.getJob(run.id);
    await expect(job?.waitUntilFinished(events, 60_000)).rejects.toThrow(/was cancelled/);
    const after = await h.client.api.runs.get.query({ id: run.id });
    expect(after.status).toBe('cancelled');
    // The only epoch never ended: the fit stopped between batches.
    expect(after.progress).toBeNull();
    expect(
      await h.client.api.versions.list.query({ model: 'cancel-model' }).catch(toAppError),
    ).toSatisfy((v: unknown) => (Array.isArray(v) ? v.length === 0 : true));
  });

  it('keeps the lock while single batches block the training thread for 3 lock durations', async () => {
    // The first two batches each block their thread for 6 s, with a 2 s lock checked for
    // stalls every second. When the fit ran on the worker's own thread (before thread/host.ts)
    // the lock expired mid-batch: the job was taken for stalled and processed a second time.
    await startWorker({ threadEntry: new URL('./fixtures/blocking-thread.ts', import.meta.url) });
    const started = Date.now();
    const run = await h.client.api.runs.create.mutate({
      modelName: 'blocking-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 20, earlyStoppingPatience: 0 },
    });
    const job = await queue.getJob(run.id);
    const result: unknown = await job?.waitUntilFinished(events, 120_000);
    // The blocks did happen (a lower bound only: no upper bound on a shared machine).
    expect(Date.now() - started).toBeGreaterThan(12_000);
    expect(result).toMatchObject({ runId: run.id, version: 1 });
    expect(result).not.toHaveProperty('skipped');
    const finished = await queue.getJob(run.id);
    expect(finished?.attemptsMade).toBe(1);
    expect(finished?.stalledCounter).toBe(0);
    expect(stalled).not.toContain(run.id);
    expect(completed.filter((id) => id === run.id)).toHaveLength(1);
    const versions = await h.client.api.versions.list.query({ model: 'blocking-model' });
    expect(versions.map((v) => v.manifest.lineage.runId)).toEqual([run.id]);
  });

  it('terminates a training thread that cannot notice a cancel within the bound', async () => {
    await startWorker({
      threadEntry: new URL('./fixtures/stuck-thread.ts', import.meta.url),
      threadGrace: { cancelGraceMs: 1_000 },
    });
    const run = await h.client.api.runs.create.mutate({
      modelName: 'stuck-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      // One batch per epoch: the second batch (epoch 2) blocks its thread for a minute.
      hyperparameters: { epochs: 5, batchSize: 1024, earlyStoppingPatience: 0 },
    });
    await waitForRun(h.client, run.id, (r) => (r.progress?.epoch ?? 0) >= 1, 'epoch 1');
    const cancelledAt = Date.now();
    await h.client.api.runs.cancel.mutate({ id: run.id });
    const job = await queue.getJob(run.id);
    await expect(job?.waitUntilFinished(events, 60_000)).rejects.toThrow(/was cancelled/);
    // Far sooner than the block ends: the thread was terminated, not waited for.
    expect(Date.now() - cancelledAt).toBeLessThan(30_000);
    expect((await h.client.api.runs.get.query({ id: run.id })).status).toBe('cancelled');
    expect((await queue.getJob(run.id))?.attemptsMade).toBe(1);
  });
});
