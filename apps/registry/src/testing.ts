import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { deleteRedisKeys } from '@mlops/config';
import { externalLineage, type BundleManifest } from '@mlops/contracts';
import { buildApp } from './app';
import { createDeps } from './deps';

// The one way other workspaces' tests start a real registry in-process, so they import
// `@mlops/registry/testing` instead of reaching into this app's src/ by relative path.
// It returns no client: @mlops/client depends on this package for its own tests.

export interface TestRegistryOptions {
  /** Admin token; a fixed test token if omitted. */
  token?: string;
  /** Upload limit in bytes (default 10 MiB). */
  maxUploadBytes?: number;
  /** Prefix for the temporary data directory's name. */
  name?: string;
}

export interface TestRegistry {
  url: string;
  token: string;
  /** Redis key prefix, unique per start. */
  prefix: string;
  redisUrl: string;
  /** Temporary data directory, removed by close(). */
  dir: string;
  /** Stops the app, deletes the prefix's Redis keys and the data directory. */
  close(): Promise<void>;
}

export async function startTestRegistry(opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const token = opts.token ?? 'registry-test-token-0123456789';
  const prefix = `test-${randomUUID()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.name ?? 'registry-test'}-`));
  const deps = await createDeps({
    dataDir: dir,
    redisUrl,
    redisPrefix: prefix,
    adminToken: token,
    maxUploadBytes: opts.maxUploadBytes ?? 10 * 1024 * 1024,
    logLevel: 'silent',
  });
  const app = await buildApp(deps, { logLevel: 'silent' });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    token,
    prefix,
    redisUrl,
    dir,
    async close() {
      await app.close();
      // Queues live under `${prefix}:bull`, so this also removes BullMQ's keys.
      const redis = new Redis(redisUrl);
      await deleteRedisKeys(redis, `${prefix}:*`);
      await redis.quit();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid classification manifest (Iris, one numeric input) whose one file is `file`. */
export function manifestWith(file: { sha256: string; size: number }): BundleManifest {
  return {
    formatVersion: 1,
    task: 'classification',
    signature: {
      inputs: [{ name: 'sepal_length', type: 'numeric', nullable: false }],
      output: {
        task: 'classification',
        target: 'species',
        labels: ['setosa', 'versicolor', 'virginica'],
      },
    },
    preprocessing: {
      features: [{ kind: 'standardize', column: 'sepal_length', mean: 5, std: 1, impute: 5 }],
      target: {
        kind: 'label-encode',
        column: 'species',
        labels: ['setosa', 'versicolor', 'virginica'],
      },
      inputWidth: 1,
    },
    metrics: { accuracy: 0.9 },
    lineage: externalLineage(),
    files: [{ path: 'model.json', ...file }],
  };
}
