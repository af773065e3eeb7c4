import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import {
  platformEventSchema,
  redisKeys,
  TERMINAL_RUN_STATUSES,
  type PlatformEvent,
  type Run,
} from '@mlops/contracts';
import { readIris, toCsv } from '../demo/iris';
import { freePort } from '../lib/ports';
import { deletePrefix } from '../lib/redis';
import { ServiceSupervisor, type RunningService } from '../lib/services';
import { waitFor } from '../lib/wait';

/**
 * Scale-out, as Kubernetes runs it: two trainer and two serving processes against one Redis and
 * one registry. BullMQ must hand each run to exactly one trainer, both trainers must take work,
 * and both serving replicas must follow the alias when it moves.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODEL = 'iris-scale';
const RUNS = 4;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-scale-'));
const prefix = `test-scale-${randomBytes(4).toString('hex')}`;
const token = `scale_${randomBytes(24).toString('base64url')}`;
const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'));
const events: PlatformEvent[] = [];
let subscriber: Redis | undefined;
let client: RegistryClient;
let trainers: RunningService[] = [];
let servings: RunningService[] = [];

beforeAll(async () => {
  const sub = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  subscriber = sub;
  sub.on('message', (_channel: string, message: string) => {
    const parsed = platformEventSchema.safeParse(JSON.parse(message));
    if (parsed.success) events.push(parsed.data);
  });
  // Subscribe once ready: a SUBSCRIBE racing the connect-time ready check loses the events.
  if (sub.status !== 'ready') await new Promise((resolve) => sub.once('ready', resolve));
  await sub.subscribe(redisKeys(prefix).events);

  const registryPort = await freePort();
  const env = {
    MLOPS_DATA_DIR: dataDir,
    REDIS_URL,
    MLOPS_REDIS_PREFIX: prefix,
    MLOPS_TOKEN: token,
    REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
    SERVING_MODELS: MODEL,
    SERVING_RECONCILE_MS: '60000', // the swap must come from the alias event, not the reconcile
    LOG_LEVEL: 'info',
  };
  const registry = await supervisor.start({ name: 'registry', port: registryPort, env });
  client = createRegistryClient({ url: registry.url, token });
  const started = await Promise.all([
    ...['a', 'b'].map(async (instance) =>
      supervisor.start({ name: 'trainer', instance, port: await freePort(), env }),
    ),
    ...['a', 'b'].map(async (instance) =>
      supervisor.start({ name: 'serving', instance, port: await freePort(), env }),
    ),
  ]);
  trainers = started.slice(0, 2);
  servings = started.slice(2);
}, 180_000);

afterAll(async () => {
  await supervisor.stopAll();
  await subscriber?.quit().catch(() => undefined);
  await deletePrefix(REDIS_URL, prefix).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('two trainers and two serving replicas on one Redis and registry', () => {
  const finished: Run[] = [];

  it(
    'spreads runs over both trainers and runs each exactly once',
    { timeout: 300_000 },
    async () => {
      const dataset = await client.uploadDataset('iris', toCsv(readIris()), { format: 'csv' });
      // Enqueued together, so the second trainer finds work while the first is busy.
      const created = await Promise.all(
        Array.from({ length: RUNS }, (_, seed) =>
          client.api.runs.create.mutate({
            modelName: MODEL,
            dataset: { name: dataset.name, version: dataset.version },
            task: 'classification',
            target: 'species',
            preset: 'mlp-small',
            hyperparameters: { epochs: 40, batchSize: 16, learningRate: 0.02 },
            seed,
          }),
        ),
      );
      for (const run of created) {
        finished.push(
          await waitFor(
            `run ${run.id} to finish`,
            async () => {
              const r = await client.api.runs.get.query({ id: run.id });
              return TERMINAL_RUN_STATUSES.includes(r.status) ? r : undefined;
            },
            { timeoutMs: 240_000, intervalMs: 500 },
          ),
        );
      }
      expect(finished.map((r) => r.status)).toEqual(Array(RUNS).fill('completed'));
      expect(new Set(finished.map((r) => r.modelVersion)).size).toBe(RUNS);

      // Who trained what, from each trainer's own log: every run once, both trainers busy.
      const startedBy = trainers.map((t) => trainingStarts(t.logFile));
      const all = startedBy.flat().sort();
      expect(all).toEqual(created.map((r) => r.id).sort());
      for (const runs of startedBy) expect(runs.length).toBeGreaterThan(0);

      // The same from the event stream and from each trainer's /metrics.
      const startEvents = events.filter((e) => e.type === 'run.started').map((e) => e.runId);
      expect(startEvents.sort()).toEqual(created.map((r) => r.id).sort());
      const completedPerTrainer = await Promise.all(
        trainers.map((t) => metricValue(t.url, 'trainer_jobs_completed_total')),
      );
      expect(completedPerTrainer.reduce((a, b) => a + b, 0)).toBe(RUNS);
      for (const n of completedPerTrainer) expect(n).toBeGreaterThan(0);
    },
  );

  it('swaps both serving replicas when the alias moves', { timeout: 180_000 }, async () => {
    const versions = finished.map((r) => r.modelVersion!).sort((a, b) => a - b);
    for (const version of [versions[0]!, versions[1]!]) {
      await client.api.aliases.set.mutate({ model: MODEL, version, alias: 'champion' });
      await Promise.all(servings.map((s) => waitForVersion(s.url, version)));
      for (const s of servings) {
        const res = await fetch(`${s.url}/v1/models/${MODEL}:predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            instances: [
              { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
            ],
          }),
        });
        expect(res.status).toBe(200);
      }
    }
  });
});

function trainingStarts(logFile: string): string[] {
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"training started"'))
    .map((line) => (JSON.parse(line) as { runId: string }).runId);
}

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function waitForVersion(url: string, version: number): Promise<void> {
  await waitFor(
    `${url} to serve ${MODEL} v${version}`,
    async () => {
      const res = await fetch(`${url}/v1/models/${MODEL}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) return undefined;
      const body = (await res.json()) as {
        model_version_status?: Array<{ version: string; state: string }>;
      };
      return body.model_version_status?.some(
        (s) => s.version === String(version) && s.state === 'AVAILABLE',
      )
        ? true
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}
