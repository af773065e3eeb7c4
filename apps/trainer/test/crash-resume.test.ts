import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, redisKeys } from '@mlops/contracts';
import { Queue } from 'bullmq';
import { blobRows } from './data';
import {
  REDIS_URL,
  TOKEN,
  startRegistry,
  toCsv,
  waitForRun,
  type Harness,
} from './registry-harness';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface TrainerProcess {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real trainer (src/server.ts) as its own OS process, logging JSON lines we collect. */
function startTrainer(h: Harness): TrainerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: appDir,
    env: {
      ...process.env,
      REGISTRY_URL: h.url,
      MLOPS_TOKEN: TOKEN,
      REDIS_URL,
      MLOPS_REDIS_PREFIX: h.prefix,
      MLOPS_DATA_DIR: h.dir,
      TRAINER_PORT: '0',
      TRAINER_BACKEND: 'cpu',
      // Short lock so a killed worker's job is released quickly; the fit renews it meanwhile.
      TRAINER_LOCK_MS: '2000',
      TRAINER_STALLED_INTERVAL_MS: '1000',
      TRAINER_CHECKPOINT_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, exited };
}

let h: Harness;
const started: TrainerProcess[] = [];

beforeAll(async () => {
  h = await startRegistry();
  await h.client.uploadDataset('blobs', toCsv(blobRows(150)), { format: 'csv' });
});

afterAll(async () => {
  for (const p of started)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
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
