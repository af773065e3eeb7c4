import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, TRAIN_JOB_OPTIONS, type TrainingSpecInput } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { createTrainerWorker, type TrainerWorker } from '../src/worker';
import { queueHarness } from './queue-harness';

const h = queueHarness();
const { prefix, redis, registry, queue, events } = h;
let worker: TrainerWorker | undefined;

beforeAll(async () => {
  await h.ready();
});

afterAll(async () => {
  await worker?.close();
  await h.close();
});

/** A worker whose training threads run `fixture` (a wrapper of the real thread program). */
async function startWorker(fixture?: string): Promise<TrainerWorker> {
  await worker?.close();
  worker = createTrainerWorker({
    connection: redis.duplicate(),
    redisPrefix: prefix,
    registry,
    backend: 'cpu',
    logger: createLogger('trainer-thread-test', 'silent'),
    progressIntervalMs: 0,
    ...(fixture ? { threadEntry: new URL(`./fixtures/${fixture}`, import.meta.url) } : {}),
  });
  return worker;
}

async function enqueue(input: Partial<TrainingSpecInput> = {}) {
  const run = registry.createRun({
    modelName: 'thread-model',
    dataset: { name: 'blobs' },
    task: 'classification',
    target: 'species',
    hyperparameters: { epochs: 3 },
    ...input,
  });
  // Three attempts, as the registry enqueues them: a failure that is retried shows in attemptsMade.
  const job = await queue.add(
    QUEUE_NAMES.train,
    { runId: run.id },
    { ...TRAIN_JOB_OPTIONS, backoff: { type: 'fixed', delay: 10 }, jobId: run.id },
  );
  return { run, job };
}

describe('training thread failures (BullMQ on real Redis, in-memory registry)', () => {
  it('an exception inside the thread fails the job with its reason', async () => {
    await startWorker('throwing-thread.ts');
    const { run, job } = await enqueue();
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/kernel exploded/);
    // Not a spec error: retried, then the run is failed with the reason.
    expect((await queue.getJob(run.id))?.attemptsMade).toBe(3);
    expect(registry.runs.get(run.id)).toMatchObject({ status: 'failed' });
    expect(registry.runs.get(run.id)?.error).toMatch(/kernel exploded/);
  });

  it('a thread that dies mid-fit fails the job instead of hanging it', async () => {
    await startWorker('exiting-thread.ts');
    const { run, job } = await enqueue();
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(
      /training thread exited \(code 3\)/,
    );
    expect(registry.runs.get(run.id)?.status).toBe('failed');
  });

  it('a spec error found inside the thread is unrecoverable: one attempt', async () => {
    await startWorker();
    // tfjs-node is never part of the default install: the thread cannot load this backend.
    const { run, job } = await enqueue({ backend: 'tensorflow' });
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/"tensorflow" is not/);
    expect((await queue.getJob(run.id))?.attemptsMade).toBe(1);
    expect(registry.runs.get(run.id)?.status).toBe('failed');
  });

  it('a dataset error found inside the thread is unrecoverable too', async () => {
    await startWorker();
    // Every row is labelled, but a test fraction this small leaves the test split empty.
    const { run, job } = await enqueue({ hyperparameters: { epochs: 3, testFraction: 0.001 } });
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/empty split/);
    expect((await queue.getJob(run.id))?.attemptsMade).toBe(1);
    expect(registry.runs.get(run.id)?.error).toMatch(/empty split/);
  });
});
