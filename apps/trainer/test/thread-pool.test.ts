import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, TRAIN_JOB_OPTIONS } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker } from '../src/worker';
import { queueHarness } from './queue-harness';

const h = queueHarness();
const { prefix, redis, registry, queue, events } = h;
const metrics = createTrainerMetrics();
const worker = createTrainerWorker({
  connection: redis.duplicate(),
  redisPrefix: prefix,
  registry,
  backend: 'cpu',
  logger: createLogger('trainer-spare-test', 'silent'),
  metrics,
  progressIntervalMs: 0,
});

beforeAll(async () => {
  await h.ready();
});

afterAll(async () => {
  await worker.close();
  await h.close();
});

/** Train one small run to completion; resolves with the job's result. */
async function trainOne(): Promise<unknown> {
  const run = registry.createRun({
    modelName: 'spare-model',
    dataset: { name: 'blobs' },
    task: 'classification',
    target: 'species',
    hyperparameters: { epochs: 2 },
  });
  const job = await queue.add(
    QUEUE_NAMES.train,
    { runId: run.id },
    { ...TRAIN_JOB_OPTIONS, jobId: run.id },
  );
  return job.waitUntilFinished(events, 60_000);
}

/** Threads given to jobs so far, by whether they were ready when the job took them. */
async function threadStarts(): Promise<{ warm: number; cold: number }> {
  const { values } = await metrics.threadStarts.get();
  const count = (warm: string) => values.find((v) => v.labels.warm === warm)?.value ?? 0;
  return { warm: count('true'), cold: count('false') };
}

// Thread starts and fits on a machine shared with others: minutes, not seconds, under load.
describe(
  'the spare training thread (BullMQ on real Redis, in-memory registry)',
  { timeout: 180_000 },
  () => {
    it('each job takes a thread that was ready before the job started', async () => {
      for (let i = 0; i < 2; i++) {
        // The spare started with the worker, then the same thread, kept after the first job.
        expect(await worker.threads.ready()).toBe(true);
        await expect(trainOne()).resolves.toMatchObject({ version: i + 1 });
      }
      // No job started a thread itself: both were handed a ready spare.
      expect(await threadStarts()).toEqual({ warm: 2, cold: 0 });
      expect(worker.threads.waiting?.jobs).toBe(2);
      expect(worker.threads.waiting?.alive).toBe(true);
    });

    it('a spare killed while it waits is replaced, and the next job trains', async () => {
      expect(await worker.threads.ready()).toBe(true);
      const killed = worker.threads.waiting;
      await killed?.terminate();
      const replacement = worker.threads.waiting;
      expect(replacement).toBeDefined();
      expect(replacement).not.toBe(killed);
      expect(await worker.threads.ready()).toBe(true);
      await expect(trainOne()).resolves.toMatchObject({ version: 3 });
      expect(await threadStarts()).toEqual({ warm: 3, cold: 0 });
    });

    it('a spare that dies before it is ready: the job starts a thread of its own', async () => {
      expect(await worker.threads.ready()).toBe(true);
      await worker.threads.waiting?.terminate();
      // Killed in the same turn it was started: it cannot have loaded TF.js yet.
      const starting = worker.threads.waiting;
      await starting?.terminate();
      expect(starting?.backend).toBeUndefined();
      // Not replaced (a thread that cannot start would die again): the job starts its own.
      expect(worker.threads.waiting).toBeUndefined();
      await expect(trainOne()).resolves.toMatchObject({ version: 4 });
      expect(await threadStarts()).toEqual({ warm: 3, cold: 1 });
      // …and once the job's thread has ended, a spare waits again.
      expect(await worker.threads.ready()).toBe(true);
    });

    it('closing the worker terminates its spare', async () => {
      const spare = worker.threads.waiting;
      expect(spare?.alive).toBe(true);
      await worker.close();
      // 'closed' terminates the spare; its exit may follow close() by a moment.
      await new Promise<void>((resolve) =>
        spare?.alive ? spare.worker.once('exit', () => resolve()) : resolve(),
      );
      expect(spare?.alive).toBe(false);
      expect(worker.threads.waiting).toBeUndefined();
    });
  },
);
