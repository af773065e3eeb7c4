import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceToken } from '@mlops/config';
import { freePort } from '../../../scripts/lib/ports';
import { deletePrefix, ensureRedis, type RedisHandle } from '../../../scripts/lib/redis';
import { ServiceSupervisor, tail } from '../../../scripts/lib/services';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Stack {
  token: string;
  urls: { registry: string; serving: string; monitor: string; web: string };
  dataDir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** `vite build` unless turbo (or a previous run) already produced dist/. */
export function ensureBuilt(): void {
  if (
    fs.existsSync(path.join(WEB_DIR, 'dist', 'public', 'index.html')) &&
    !process.env.WEB_E2E_REBUILD
  )
    return;
  const out = spawnSync('npx', ['vite', 'build'], { cwd: WEB_DIR, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`vite build failed:\n${out.stdout}\n${out.stderr}`);
}

/**
 * The real platform as processes, like `npm run demo`: registry, trainer, serving, monitor and
 * the dashboard server, on free ports, a temporary data directory and a random Redis prefix.
 * Reads are NOT public (no MLOPS_PUBLIC_READS): the browser must sign in with `token`, the
 * registry's admin token; every other app gets its own service token, as under `npm start`.
 * `opts.env` adds to every service's environment.
 */
export async function startStack(opts: { env?: Record<string, string> } = {}): Promise<Stack> {
  ensureBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-web-e2e-'));
  const prefix = `web-e2e-${randomBytes(4).toString('hex')}`;
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'));
  let redis: RedisHandle | undefined;
  const stop = async () => {
    await supervisor.stopAll();
    if (redis && !redis.started) await deletePrefix(redis.url, prefix).catch(() => undefined);
    await redis?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    redis = await ensureRedis();
    const ports = {
      registry: await freePort(),
      serving: await freePort(),
      monitor: await freePort(),
      trainer: await freePort(),
      web: await freePort(),
    };
    const env = {
      MLOPS_DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      MLOPS_REDIS_PREFIX: prefix,
      MLOPS_TOKEN: token,
      MLOPS_PUBLIC_READS: 'false',
      REGISTRY_URL: `http://127.0.0.1:${ports.registry}`,
      SERVING_RECONCILE_MS: '3000',
      MONITOR_POLL_MS: '500',
      LOG_LEVEL: 'info',
      // Reads need a token (the registry's default): the dashboard signs in with `token`.
      // `{ env: { MLOPS_PUBLIC_READS: 'true' } }` opens reads for a test of the signed-out view.
      ...opts.env,
    };
    const registry = await supervisor.start({ name: 'registry', port: ports.registry, env });
    const own = (app: string) => ({ ...env, MLOPS_TOKEN: serviceToken(token, app) });
    const [, serving, monitor] = await Promise.all([
      supervisor.start({ name: 'trainer', port: ports.trainer, env: own('trainer') }),
      supervisor.start({ name: 'serving', port: ports.serving, env: own('serving') }),
      supervisor.start({ name: 'monitor', port: ports.monitor, env: own('monitor') }),
    ]);
    const web = await supervisor.start({
      name: 'web',
      port: ports.web,
      env: { ...own('web'), SERVING_URL: serving.url, MONITOR_URL: monitor.url },
    });
    return {
      token,
      dataDir,
      urls: { registry: registry.url, serving: serving.url, monitor: monitor.url, web: web.url },
      logs: () =>
        supervisor
          .list()
          .map((s) => `--- ${s.name} ---\n${tail(s.logFile, 10)}`)
          .join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
