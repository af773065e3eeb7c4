import { Redis } from 'ioredis';
import { vi } from 'vitest';
import type { DataRow, Run } from '@mlops/contracts';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
// The real registry, in-process: these tests are the seam between the two apps.
import { startTestRegistry } from '@mlops/registry/testing';
import { createLogger } from '@mlops/config';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker } from '../src/worker';
import { blobSchema } from './data';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TOKEN = 'trainer-test-token-0123456789';

export interface Harness {
  prefix: string;
  dir: string;
  url: string;
  client: RegistryClient;
  redis: Redis;
  close(): Promise<void>;
}

/** A real registry on port 0 with its own data directory and Redis prefix. */
export async function startRegistry(): Promise<Harness> {
  const registry = await startTestRegistry({ token: TOKEN, name: 'trainer-it' });
  // The workers under test share this connection; BullMQ needs maxRetriesPerRequest: null.
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return {
    prefix: registry.prefix,
    dir: registry.dir,
    url: registry.url,
    client: createRegistryClient({ url: registry.url, token: TOKEN }),
    redis,
    async close() {
      await registry.close();
      await redis.quit();
    },
  };
}

/** The real `train` worker in this process, on the harness's Redis, registry and prefix. */
export function startWorker(h: Harness, name: string): ReturnType<typeof createTrainerWorker> {
  return createTrainerWorker({
    connection: h.redis,
    redisPrefix: h.prefix,
    registry: h.client,
    backend: 'cpu',
    logger: createLogger(name, 'silent'),
    metrics: createTrainerMetrics(),
    progressIntervalMs: 0,
  });
}

export function toCsv(rows: DataRow[]): string {
  const cols = blobSchema.columns.map((c) => c.name);
  const cell = (v: DataRow[string] | undefined) => (v === null || v === undefined ? '' : String(v));
  return (
    [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n'
  );
}

/** The run once `check` accepts it (vi.waitFor; no timing assertion, a generous upper bound). */
export function waitForRun(
  client: RegistryClient,
  id: string,
  check: (run: Run) => boolean,
  what: string,
  limitMs = 120_000,
): Promise<Run> {
  return vi.waitFor(
    async () => {
      const run = await client.api.runs.get.query({ id });
      if (!check(run)) throw new Error(`run ${id}: ${what} did not happen (${run.status})`);
      return run;
    },
    { timeout: limitMs, interval: 50 },
  );
}
