import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { freePort } from '../../lib/ports';
import { deletePrefix, type RedisHandle } from '../../lib/redis';
import { ServiceSupervisor, type RunningService, type ServiceSpec } from '../../lib/services';

/** One figure's result: its own numbers, the baseline measured in the same run, their ratio. */
export type Figure = Record<string, unknown>;

export interface ScaleOptions {
  json: boolean;
  /** Rows of the ingest CSV (`--rows`, default 1M) and, scaled, of the drift window. */
  rows: number;
  redis: RedisHandle;
  say: (line: string) => void;
}

/**
 * A registry of its own for one figure, plus whatever apps the figure starts beside it: one
 * data directory, one Redis prefix and one token (every app holds the same admin token, as in
 * the train benchmark: scopes are not what is measured here). `close` stops and removes it all.
 */
export interface Platform {
  dataDir: string;
  prefix: string;
  token: string;
  env: Record<string, string>;
  registry: RunningService;
  client: RegistryClient;
  supervisor: ServiceSupervisor;
  start(
    name: Exclude<ServiceSpec['name'], 'registry'>,
    env?: Record<string, string>,
  ): Promise<RunningService>;
  close(): Promise<void>;
}

export async function startPlatform(
  redis: RedisHandle,
  label: string,
  registryEnv: Record<string, string> = {},
): Promise<Platform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-scale-${label}-`));
  const prefix = `bench-scale-${label}-${randomUUID().slice(0, 8)}`;
  const token = `bench_${randomBytes(24).toString('base64url')}`;
  const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'));
  const env = {
    MLOPS_DATA_DIR: dataDir,
    MLOPS_TOKEN: token,
    REDIS_URL: redis.url,
    MLOPS_REDIS_PREFIX: prefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const close = async () => {
    await supervisor.stopAll();
    await deletePrefix(redis.url, prefix).catch(() => undefined);
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const registry = await supervisor.start({
      name: 'registry',
      port: await freePort(),
      env: { ...env, ...registryEnv },
    });
    const client = createRegistryClient({ url: registry.url, token });
    let instance = 0;
    const start: Platform['start'] = async (name, extra = {}) =>
      supervisor.start({
        name,
        instance: String(++instance),
        port: await freePort(),
        env: { ...env, REGISTRY_URL: registry.url, ...extra },
      });
    return { dataDir, prefix, token, env, registry, client, supervisor, start, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A process's resident set now (Linux VmRSS), in MiB. */
export function rssMb(pid: number | undefined): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN) / 1024);
}

export const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
