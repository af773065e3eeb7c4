import { tfServingErrorBodySchema, type Principal } from '@mlops/contracts';
import type { TokenVerifier } from '@mlops/client';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, vi } from 'vitest';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp, type AppDeps, type ServingApp } from '../../src/app';
import { loadServingEnv } from '../../src/env';
import { MemoryModelSource } from '../../src/models/memory-source';
import type { ModelSource } from '../../src/models/source';
import { publish, type BundleFactory } from './bundle';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The callers of the in-process apps: every request is a test client holding every scope.
 * These tests are about serving models; token checks are replayed against a real registry in
 * scripts/test/security/serving.test.ts.
 */
export const TEST_CALLER: Principal = { name: 'token:test', tokenId: null, scopes: ['admin'] };
export const everyCaller: TokenVerifier = {
  verify: () => Promise.resolve(TEST_CALLER),
  authorize: () => Promise.resolve(TEST_CALLER),
};

export function testPrefix(): string {
  return `test-${randomUUID()}`;
}

export async function startApp(
  source: ModelSource,
  env: Record<string, string>,
  hooks: Pick<AppDeps, 'wrapLogSink'> = {},
): Promise<ServingApp> {
  const parsed = loadServingEnv({
    REDIS_URL,
    LOG_LEVEL: 'silent',
    SERVING_RECONCILE_MS: '3600000', // events only: a reconcile must not hide a lost event
    ...env,
  });
  const app = await buildApp({
    env: parsed,
    source,
    callers: everyCaller,
    redis: new Redis(parsed.REDIS_URL),
    logger: createLogger('serving-test', parsed.LOG_LEVEL),
    ...hooks,
  });
  await app.ready();
  return app;
}

/**
 * The protocol tests' server: iris v1 (alias champion) in a memory registry, served, loaded.
 * `epochs` trains the bundle less where its accuracy does not matter; `env` adds serving settings.
 */
export async function serveIris(
  factory: BundleFactory,
  prefix: string,
  opts: { epochs?: number; env?: Record<string, string> } = {},
): Promise<ServingApp> {
  const source = new MemoryModelSource();
  publish(source, 'iris', 1, await factory.next(opts.epochs ?? 30));
  source.setAlias('iris', 'champion', 1);
  const app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'iris',
    ...opts.env,
  });
  await eventually(() => app.serving.models.get('iris')?.loaded ?? undefined, 'iris v1 loaded');
  return app;
}

/** POST `body` to `url` as JSON. */
export function postJson(app: ServingApp, url: string, body: unknown) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

/**
 * The first value of `check` other than undefined, for asynchronous loads and fire-and-forget
 * writes: vi.waitFor (which retries on a throw and would take a falsy value as done) with
 * undefined meaning "not yet", bounded at 30 s.
 */
export function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === undefined) throw new Error(`gave up waiting for ${what}`);
      return value;
    },
    { timeout: 30_000, interval: 20 },
  );
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  await deleteRedisKeys(redis, `${prefix}*`);
}

/** The usual teardown: the app (if it started), the test's bundles, its Redis keys, the client. */
export async function tearDown(parts: {
  app: ServingApp | undefined;
  factory?: { dispose(): void };
  redis: Redis;
  prefix: string;
}): Promise<void> {
  await parts.app?.close();
  parts.factory?.dispose();
  await deleteKeys(parts.redis, parts.prefix);
  await parts.redis.quit();
}

/**
 * For a suite that starts many apps over its tests: after the suite, close every app, dispose
 * the bundles, delete every prefix's Redis keys and quit the client.
 */
export function tearDownAllAfter(parts: {
  apps: ServingApp[];
  factory: { dispose(): void };
  redis: Redis;
  prefixes: string[];
}): void {
  afterAll(async () => {
    for (const app of parts.apps) await app.close();
    parts.factory.dispose();
    for (const prefix of parts.prefixes) await deleteKeys(parts.redis, prefix);
    await parts.redis.quit();
  });
}

/** A TF Serving route's error: TF Serving's `{"error": "<message>"}` with our code and details. */
export function tfError(res: { json(): unknown }) {
  const body = tfServingErrorBodySchema.parse(res.json());
  return { code: body.code, message: body.error, details: body.details };
}
