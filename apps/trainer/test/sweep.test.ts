import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mlops/config';
import { initBackend } from '@mlops/ml/backend';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker, type TrainerWorker } from '../src/worker';
import { blobRows } from './data';
import { startRegistry, toCsv, waitForRun, type Harness } from './registry-harness';

let h: Harness;
let worker: TrainerWorker;
let connection: Redis;

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  await h.client.uploadDataset('blobs', toCsv(blobRows(150)), { format: 'csv' });
  connection = h.redis.duplicate();
  worker = createTrainerWorker({
    connection,
    redisPrefix: h.prefix,
    registry: h.client,
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

describe('sweeps (BullMQ flow, real registry, real worker)', () => {
  it('a 3-trial grid over learningRate registers exactly the best trial and lists every trial', async () => {
    const learningRates = [0.0001, 0.02, 0.05];
    const sweep = await h.client.api.runs.create.mutate({
      modelName: 'sweep-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 4, batchSize: 16 },
      sweep: {
        strategy: 'grid',
        trials: 3,
        parallelism: 2,
        metric: 'log_loss',
        greaterIsBetter: false,
        space: { learningRate: learningRates },
      },
    });
    expect(sweep.trials).toHaveLength(3);

    const done = await waitForRun(
      h.client,
      sweep.id,
      (r) => r.status === 'completed' || r.status === 'failed',
      'sweep completion',
      180_000,
    );
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
  });
});
