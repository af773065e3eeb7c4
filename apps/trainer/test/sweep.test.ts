import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, QUEUE_NAMES, redisKeys } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { initBackend } from '@mlops/ml/backend';
import { createTrainerMetrics } from '../src/metrics';
import type { TrainerRegistry } from '../src/registry';
import { childTrialOutcomes } from '../src/sweep';
import { createTrainerWorker, type TrainerWorker } from '../src/worker';
import { blobRows } from './data';
import { startRegistry, toCsv, waitForRun, type Harness } from './registry-harness';

let h: Harness;
let worker: TrainerWorker;
let connection: Redis;
/** Runs whose start the registry refuses as a bad spec would be (a permanent failure). */
const refuseStart = new Set<string>();

/** The real registry client, except that starting a run in `refuseStart` fails for good. */
function refusingRegistry(h: Harness): TrainerRegistry {
  const { api } = h.client;
  return {
    api: {
      runs: {
        get: api.runs.get,
        progress: api.runs.progress,
        complete: api.runs.complete,
        fail: api.runs.fail,
        start: {
          mutate: (input) =>
            refuseStart.has(input.id)
              ? Promise.reject(new AppError('VALIDATION_FAILED', 'refused by the test'))
              : api.runs.start.mutate(input),
        },
      },
      datasets: api.datasets,
      versions: api.versions,
    },
    datasetLines: (name, version) => h.client.datasetLines(name, version),
    datasetImageRows: (name, version) => h.client.datasetImageRows(name, version),
    uploadBlob: (body) => h.client.uploadBlob(body),
    downloadBlob: (sha256) => h.client.downloadBlob(sha256),
  };
}

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  await h.client.uploadDataset('blobs', toCsv(blobRows(150)), { format: 'csv' });
  connection = h.redis.duplicate();
  worker = createTrainerWorker({
    connection,
    redisPrefix: h.prefix,
    registry: refusingRegistry(h),
    backend: 'cpu',
    logger: createLogger('trainer-sweep-test', 'silent'),
    metrics: createTrainerMetrics(),
    progressIntervalMs: 0,
    checkpointIntervalMs: 60_000,
  });
});

afterAll(async () => {
  await worker?.close();
  connection?.disconnect();
  await h?.close();
});

/** A 3-trial grid sweep over learningRate on the blobs dataset, minimising log_loss. */
function createGridSweep(
  modelName: string,
  o: { epochs: number; parallelism: number; learningRates: number[] },
) {
  return h.client.api.runs.create.mutate({
    modelName,
    dataset: { name: 'blobs' },
    task: 'classification',
    target: 'species',
    hyperparameters: { epochs: o.epochs, batchSize: 16 },
    sweep: {
      strategy: 'grid',
      trials: 3,
      parallelism: o.parallelism,
      metric: 'log_loss',
      greaterIsBetter: false,
      space: { learningRate: o.learningRates },
    },
  });
}

function waitForSweep(id: string) {
  return waitForRun(
    h.client,
    id,
    (r) => r.status === 'completed' || r.status === 'failed',
    'sweep completion',
    180_000,
  );
}

describe('sweeps (BullMQ flow, real registry, real worker)', () => {
  it('a 3-trial grid over learningRate registers exactly the best trial and lists every trial', async () => {
    const learningRates = [0.0001, 0.02, 0.05];
    const sweep = await createGridSweep('sweep-model', {
      epochs: 4,
      parallelism: 2,
      learningRates,
    });
    expect(sweep.trials).toHaveLength(3);

    const done = await waitForSweep(sweep.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    const trials = done.trials ?? [];
    expect(trials.map((t) => t.hyperparameters.learningRate).sort()).toEqual(learningRates);
    for (const trial of trials) {
      expect(trial.status).toBe('completed');
      expect(trial.metrics.log_loss).toBeTypeOf('number');
      const child = await h.client.api.runs.get.query({ id: trial.runId });
      expect(child.parentRunId).toBe(sweep.id);
      // Trials register nothing themselves.
      expect(child.modelVersion).toBeNull();
    }
    const best = trials.reduce((a, b) => (b.metrics.log_loss! < a.metrics.log_loss! ? b : a));

    const versions = await h.client.api.versions.list.query({ model: 'sweep-model' });
    expect(versions).toHaveLength(1);
    const version = versions[0]!;
    expect(version.manifest.lineage.runId).toBe(best.runId);
    expect(version.manifest.lineage.hyperparameters).toEqual(best.hyperparameters);
    expect(done.modelVersion).toBe(version.version);
    expect(done.metrics).toEqual(best.metrics);
    // The best trial's model tests, run on its held-out split, are the version's.
    expect(version.modelTests?.source).toEqual({ kind: 'run', runId: sweep.id });
    expect(version.modelTests?.results.map((r) => r.name)).toContain('baseline:majority');
  });

  it('a trial that fails for good neither blocks its lane nor hides the trials before it', async () => {
    // One lane: trial 0 trains first, then 1, then 2 (each the flow parent of the one before).
    const sweep = await createGridSweep('sweep-failing', {
      epochs: 2,
      parallelism: 1,
      learningRates: [0.01, 0.02, 0.05],
    });
    const [first, middle, last] = (sweep.trials ?? []).map((t) => t.runId);
    refuseStart.add(middle!);

    const done = await waitForSweep(sweep.id);
    expect(done.status).toBe('completed');
    const byId = new Map((done.trials ?? []).map((t) => [t.runId, t]));
    expect(byId.get(middle!)?.status).toBe('failed');
    expect(byId.get(middle!)?.error).toContain('refused by the test');
    expect([byId.get(first!)?.status, byId.get(last!)?.status]).toEqual(['completed', 'completed']);

    // The trial before the failed one still reached the sweep's job through the lane.
    const queue = new Queue(QUEUE_NAMES.train, {
      connection: h.redis.duplicate(),
      prefix: redisKeys(h.prefix).bullPrefix,
    });
    try {
      const job = await Job.fromId(queue, sweep.id);
      const handedUp = (await childTrialOutcomes(job!)).map((o) => o.runId).sort();
      expect(handedUp).toEqual([first!, last!].sort());
    } finally {
      await queue.close();
    }
    const completed = [byId.get(first!)!, byId.get(last!)!];
    const best = completed.reduce((a, b) => (b.metrics.log_loss! < a.metrics.log_loss! ? b : a));
    const versions = await h.client.api.versions.list.query({ model: 'sweep-failing' });
    expect(versions.map((v) => v.manifest.lineage.runId)).toEqual([best.runId]);
  });
});
