import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { DataRow, Run } from '@mlops/contracts';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
// The real registry, in-process: these tests are the seam between the two apps.
import { buildApp as buildRegistry } from '../../registry/src/app';
import { createDeps } from '../../registry/src/deps';
import { blobSchema } from './data';
import { deleteRedisKeys } from '@mlops/config';

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
  const prefix = `test-${randomUUID()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-it-'));
  const deps = await createDeps({
    dataDir: dir,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    adminToken: TOKEN,
    maxUploadBytes: 10 * 1024 * 1024,
    logLevel: 'silent',
  });
  const app: FastifyInstance = await buildRegistry(deps, { logLevel: 'silent' });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return {
    prefix,
    dir,
    url,
    client: createRegistryClient({ url, token: TOKEN }),
    redis,
    async close() {
      await app.close();
      await deleteRedisKeys(redis, `${prefix}:*`);
      await redis.quit();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
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
