import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { serviceToken } from '@mlops/config';
import { freePort } from './ports';
import { deletePrefix } from './redis';
import { ServiceSupervisor, type RunningService, type ServiceSpec } from './services';

type AppName = ServiceSpec['name'];

export interface StackOptions {
  /** Apps to start besides the registry (which always runs first), in this order. */
  apps?: Exclude<AppName, 'registry'>[];
  /** Environment for every app. */
  env?: Record<string, string>;
  /** Environment for one app, over `env`. */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Name of the temporary directory and Redis prefix (default `stack`). */
  label?: string;
}

export interface Stack {
  dataDir: string;
  /** The run's own Redis prefix: two stacks never meet. */
  prefix: string;
  redisUrl: string;
  /** The bootstrap admin token (the registry's); apps get their own service tokens. */
  adminToken: string;
  urls: Partial<Record<AppName, string>>;
  services: Partial<Record<AppName, RunningService>>;
  supervisor: ServiceSupervisor;
  /** A registry client holding the admin token. */
  admin: RegistryClient;
  /** The token the supervisor hands to `app` (`service:<app>`), as `npm start` does. */
  tokenOf(app: Exclude<AppName, 'registry'>): string;
  /** Stop every app, delete the Redis prefix and the data directory. */
  close(): Promise<void>;
}

/**
 * The platform as real processes on loopback, started the way `npm start` starts it: the
 * registry with the admin token, every other app with its own derived service token, one data
 * directory and one Redis prefix per stack. For tests that must replay an attack or a failure
 * against the real services rather than an in-process app.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const label = opts.label ?? 'stack';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `mlops-${label}-`));
  const prefix = `test-${label}-${randomBytes(4).toString('hex')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const adminToken = `mlops_${randomBytes(24).toString('base64url')}`;
  const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'));
  const apps = opts.apps ?? [];
  const ports = Object.fromEntries(
    await Promise.all(['registry', ...apps].map(async (app) => [app, await freePort()] as const)),
  ) as Record<AppName, number>;
  const urls: Partial<Record<AppName, string>> = {};
  for (const [app, port] of Object.entries(ports))
    urls[app as AppName] = `http://127.0.0.1:${port}`;
  const tokenOf = (app: Exclude<AppName, 'registry'>) => serviceToken(adminToken, app);
  const base = {
    MLOPS_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    MLOPS_REDIS_PREFIX: prefix,
    REGISTRY_URL: urls.registry ?? '',
    SERVING_URL: urls.serving ?? '',
    MONITOR_URL: urls.monitor ?? '',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const envOf = (app: AppName) => ({
    ...base,
    MLOPS_TOKEN: app === 'registry' ? adminToken : tokenOf(app),
    ...opts.appEnv?.[app],
  });

  const services: Partial<Record<AppName, RunningService>> = {};
  const close = async () => {
    await supervisor.stopAll();
    await deletePrefix(redisUrl, prefix).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    services.registry = await supervisor.start({
      name: 'registry',
      port: ports.registry,
      env: envOf('registry'),
    });
    for (const app of apps)
      services[app] = await supervisor.start({ name: app, port: ports[app], env: envOf(app) });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    dataDir,
    prefix,
    redisUrl,
    adminToken,
    urls,
    services,
    supervisor,
    admin: createRegistryClient({ url: urls.registry ?? '', token: adminToken }),
    tokenOf,
    close,
  };
}
