import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import {
  driftPolicySchema,
  redisKeys,
  type PredictionLogEntry,
  type RedisKeys,
} from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp, type MonitorDeps } from '../src/app';
import { everyCaller, TEST_CALLER } from './fixtures';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A payload log entry; `principal` defaults to TEST_CALLER's name, `at` to now. */
export type LogEntry = Omit<PredictionLogEntry, 'model' | 'version' | 'at' | 'principal'> &
  Partial<Pick<PredictionLogEntry, 'at' | 'principal'>>;

type Options = Partial<Omit<MonitorDeps, 'redisUrl' | 'prefix'>> & Pick<MonitorDeps, 'profiles'>;

export interface MonitorUnderTest {
  /** The app (built in `beforeAll`). */
  readonly app: FastifyInstance;
  /** A connection of the test's own to the same Redis, e.g. to write the payload log. */
  redis: Redis;
  /** The keys under this file's own random prefix. */
  keys: RedisKeys;
  /** Appends JSON entries to the model's payload log, as serving writes them. */
  log: (model: string, version: number, entries: LogEntry[]) => Promise<void>;
  /** GET `url`: its status and JSON body. */
  get: (url: string) => Promise<{ status: number; body: unknown }>;
  /** A tRPC query: its status and body (`result.data` or `error.data.appCode`). */
  trpc: (
    path: string,
    input: unknown,
  ) => Promise<{
    status: number;
    body: { result?: { data: unknown }; error?: { data?: { appCode?: string } } };
  }>;
}

/**
 * A monitor app on real Redis for one test file, under a random prefix: built in `beforeAll`
 * (from `options`, or what the function answers then), closed with its keys deleted in
 * `afterAll`. Defaults: every caller allowed, the default drift policy, a 2,000-entry window,
 * polled every 100 ms, silent logs.
 */
export function useMonitorApp(options: Options | (() => Options | Promise<Options>)) {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    app = await buildApp({
      callers: everyCaller,
      policy: driftPolicySchema.parse({}),
      windowRetain: 2_000,
      pollMs: 100,
      alertCooldownMs: 60_000,
      logger: createLogger('monitor-test', 'silent'),
      ...(typeof options === 'function' ? await options() : options),
      redisUrl: REDIS_URL,
      prefix,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await deleteRedisKeys(redis, `${prefix}:*`);
    await redis.quit();
  });
  const monitor: MonitorUnderTest = {
    get app() {
      if (!app) throw new Error('the monitor app is built in beforeAll');
      return app;
    },
    redis,
    keys: redisKeys(prefix),
    log: async (model, version, entries) => {
      const pipeline = redis.pipeline();
      for (const e of entries) {
        const entry: PredictionLogEntry = {
          principal: TEST_CALLER.name,
          at: new Date().toISOString(),
          ...e,
          model,
          version,
        };
        pipeline.xadd(monitor.keys.predictions(model), '*', 'entry', JSON.stringify(entry));
      }
      await pipeline.exec();
    },
    get: async (url) => {
      const res = await monitor.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json<unknown>() };
    },
    trpc: async (path, input) => {
      const url = `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
      const res = await monitor.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() };
    },
  };
  return monitor;
}
