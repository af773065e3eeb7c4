import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, TRAIN_JOB_OPTIONS, type TrainingSpecInput } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker, type TrainerWorker } from '../src/worker';
import { queueHarness } from './queue-harness';

// A training thread trains job after job while each leaves it clean (thread/pool.ts), and is
// replaced when a job was cancelled or it has trained its share. Real BullMQ on Redis, real fits.

const h = queueHarness();
const { prefix, redis, registry, queue, events } = h;
let metrics = createTrainerMetrics();
let worker: TrainerWorker | undefined;

beforeAll(async () => {
  await h.ready();
});

afterAll(async () => {
  await worker?.close();
  await h.close();
});

async function startWorker(extra: { threadMaxJobs?: number } = {}): Promise<TrainerWorker> {
  await worker?.close();
  metrics = createTrainerMetrics();
  worker = createTrainerWorker({
    connection: redis.duplicate(),
    redisPrefix: prefix,
    registry,
    backend: 'cpu',
    logger: createLogger('trainer-thread-reuse-test', 'silent'),
    metrics,
    progressIntervalMs: 0,
    ...extra,
  });
  expect(await worker.threads.ready()).toBe(true);
  return worker;
}

const SPEC = {
  modelName: 'reuse-model',
  dataset: { name: 'blobs' },
  task: 'classification',
  target: 'species',
  hyperparameters: { epochs: 3, earlyStoppingPatience: 0 },
} as const;

async function enqueue(input: Partial<TrainingSpecInput> = {}) {
  const run = registry.createRun({ ...SPEC, ...input });
  const job = await queue.add(
    QUEUE_NAMES.train,
    { runId: run.id },
    { ...TRAIN_JOB_OPTIONS, backoff: { type: 'fixed', delay: 10 }, jobId: run.id },
  );
  return { run, job };
}

/** Train the same seeded run to completion; the job's result. */
async function trainOne(): Promise<{ version: number | null; metrics: Record<string, unknown> }> {
  const { job } = await enqueue();
  return (await job.waitUntilFinished(events, 60_000)) as {
    version: number | null;
    metrics: Record<string, unknown>;
  };
}

async function retirements(): Promise<Record<string, number>> {
  const { values } = await metrics.threadRetirements.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.reason), v.value]));
}

// Several fits and thread starts a test, on a machine shared with others.
describe('a training thread kept across jobs', { timeout: 180_000 }, () => {
  let first: { version: number | null; metrics: Record<string, unknown> } | undefined;
  /** The metrics of the seeded run as the first job trained it (trained here when run alone). */
  const reference = async () => (first ??= await trainOne()).metrics;

  it('trains two jobs in sequence, leaking no tensor, each as a fresh thread would', async () => {
    const w = await startWorker();
    const thread = w.threads.waiting;
    const once = await trainOne();
    first = once;
    // The job's thread is back, waiting for the next job: no tensor of the fit is left in it.
    expect(w.threads.waiting).toBe(thread);
    expect(thread?.jobs).toBe(1);
    expect(thread?.health?.leakedTensors).toBe(0);
    const second = await trainOne();
    expect(w.threads.waiting).toBe(thread);
    expect(thread?.jobs).toBe(2);
    expect(thread?.health?.leakedTensors).toBe(0);
    expect(second.version).toBe((once.version ?? 0) + 1);
    // The same seeded run on a thread that trained before: the same model, to the last digit.
    expect(second.metrics).toEqual(once.metrics);
    expect(await retirements()).toEqual({});
  });

  it('a job that failed on its dataset leaves the thread to the next job, which trains right', async () => {
    const w = await startWorker();
    const thread = w.threads.waiting;
    // Every row is labelled, but a test fraction this small leaves the test split empty.
    const { job } = await enqueue({ hyperparameters: { epochs: 3, testFraction: 0.001 } });
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/empty split/);
    expect(w.threads.waiting).toBe(thread);
    expect(thread?.health?.leakedTensors).toBe(0);
    const next = await trainOne();
    expect(thread?.jobs).toBe(2);
    expect(next.metrics).toEqual(await reference());
    expect(await retirements()).toEqual({});
  });

  it('a cancelled job ends its thread; the next job trains right in a new one', async () => {
    const w = await startWorker();
    const thread = w.threads.waiting;
    const { run, job } = await enqueue({
      hyperparameters: { epochs: 1_000, earlyStoppingPatience: 0 },
    });
    registry.onProgress = (id, progress) => {
      if (id === run.id && progress.epoch >= 2) registry.cancel(id);
    };
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/was cancelled/);
    registry.onProgress = undefined;
    expect(thread?.alive).toBe(false);
    expect(await retirements()).toEqual({ cancelled: 1 });
    // A new thread was started for the next job while the worker waited.
    expect(await w.threads.ready()).toBe(true);
    const fresh = w.threads.waiting;
    expect(fresh).not.toBe(thread);
    const next = await trainOne();
    expect(next.metrics).toEqual(await reference());
    expect(fresh?.health?.leakedTensors).toBe(0);
    expect(w.threads.waiting).toBe(fresh);
  });

  it('a thread that trained its share of jobs is replaced', async () => {
    const w = await startWorker({ threadMaxJobs: 1 });
    const thread = w.threads.waiting;
    await trainOne();
    expect(thread?.alive).toBe(false);
    expect(await retirements()).toEqual({ 'max-jobs': 1 });
    expect(await w.threads.ready()).toBe(true);
    expect(w.threads.waiting).not.toBe(thread);
  });
});
