import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, redisKeys } from '@mlops/contracts';
import { Queue } from 'bullmq';
import { blobRows } from './data';
import { REDIS_URL, startRegistry, toCsv, waitForRun, type Harness } from './registry-harness';
import { killAll, startTrainer, type TrainerProcess } from './trainer-process';

let h: Harness;
const started: TrainerProcess[] = [];

beforeAll(async () => {
  h = await startRegistry();
  await h.client.uploadDataset('blobs', toCsv(blobRows(150)), { format: 'csv' });
});

afterAll(async () => {
  await killAll(started);
  await h?.close();
});

async function createLongRun(model: string) {
  return h.client.api.runs.create.mutate({
    modelName: model,
    dataset: { name: 'blobs' },
    task: 'classification',
    target: 'species',
    hyperparameters: { epochs: 120, earlyStoppingPatience: 0, learningRate: 0.01 },
  });
}

function resumedEpoch(p: TrainerProcess): number | undefined {
  const line = p.logs.find((l) => l.msg === 'resuming from checkpoint');
  return typeof line?.epoch === 'number' ? line.epoch : undefined;
}

describe('crash and resume with real trainer processes', () => {
  it('kill -9 mid-fit: another worker resumes from the last checkpoint; one version', async () => {
    const run = await createLongRun('crash-model');
    const first = startTrainer(h);
    started.push(first);
    const mid = await waitForRun(
      h.client,
      run.id,
      (r) => (r.progress?.checkpoint?.epoch ?? 0) >= 3,
      'a checkpoint at epoch 3',
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const checkpointEpoch = mid.progress?.checkpoint?.epoch ?? 0;
    expect(checkpointEpoch).toBeLessThan(120);

    const second = startTrainer(h);
    started.push(second);
    const done = await waitForRun(h.client, run.id, (r) => r.status !== 'running', 'completion');
    expect(done.status).toBe('completed');
    expect(done.modelVersion).toBe(1);
    // Resumed where the dead worker's last checkpoint was, not from epoch 0.
    expect(resumedEpoch(second)).toBeGreaterThanOrEqual(checkpointEpoch);
    const versions = await h.client.api.versions.list.query({ model: 'crash-model' });
    expect(versions.map((v) => v.manifest.lineage.runId)).toEqual([run.id]);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    // The registry deletes the checkpoint once the run completed.
    expect(done.progress?.checkpoint).toBeUndefined();
    await expect(h.client.downloadBlob(mid.progress?.checkpoint?.sha256 ?? '')).rejects.toThrow();
  });

  it('SIGTERM checkpoints the current epoch and hands the job back without losing an attempt', async () => {
    const run = await createLongRun('sigterm-model');
    const first = startTrainer(h);
    started.push(first);
    await waitForRun(h.client, run.id, (r) => (r.progress?.epoch ?? 0) >= 2, 'epoch 2');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const handedBack = first.logs.find(
      (l) => l.msg === 'shutting down: job handed back after checkpoint',
    );
    expect(handedBack).toBeDefined();

    const queue = new Queue(QUEUE_NAMES.train, {
      connection: { url: REDIS_URL },
      prefix: redisKeys(h.prefix).bullPrefix,
    });
    try {
      const job = await queue.getJob(run.id);
      expect(job?.attemptsMade).toBe(0);
    } finally {
      await queue.close();
    }

    const second = startTrainer(h);
    started.push(second);
    const done = await waitForRun(h.client, run.id, (r) => r.status !== 'running', 'completion');
    expect(done.status).toBe('completed');
    expect(resumedEpoch(second)).toBe(handedBack?.epoch);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
