import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { freePort } from './ports';
import { deletePrefix } from './redis';
import { launchPlatform, tokenFor, type AppName } from './platform';
import { ServiceSupervisor, type RunningService, type SupervisorOptions } from './services';

export interface StackOptions {
  /** Apps to start besides the registry (which runs first; see `launchPlatform`). */
  apps?: Exclude<AppName, 'registry'>[];
  /** Environment for every app. */
  env?: Record<string, string>;
  /** Environment for one app, over `env`. */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Name of the temporary directory and Redis prefix (default `stack`). */
  label?: string;
  /** The supervisor's options: `{ restart: true }` restarts crashed apps as `npm start` does. */
  supervisor?: SupervisorOptions;
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
  const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'), opts.supervisor);
  const apps = opts.apps ?? [];
  const ports = Object.fromEntries(
    await Promise.all(['registry', ...apps].map(async (app) => [app, await freePort()] as const)),
  ) as Record<AppName, number>;
  const urls: Partial<Record<AppName, string>> = {};
  for (const [app, port] of Object.entries(ports))
    urls[app as AppName] = `http://127.0.0.1:${port}`;
  const tokenOf = (app: Exclude<AppName, 'registry'>) => tokenFor(adminToken, app);
  const env = {
    MLOPS_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    MLOPS_REDIS_PREFIX: prefix,
    LOG_LEVEL: 'info',
    ...opts.env,
  };

  let services: Partial<Record<AppName, RunningService>> = {};
  const close = async () => {
    await supervisor.stopAll();
    await deletePrefix(redisUrl, prefix).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    services = await launchPlatform({
      supervisor,
      adminToken,
      ports,
      apps,
      env,
      ...(opts.appEnv ? { appEnv: opts.appEnv } : {}),
    });
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
