/**
 * Test support for other workspaces (`@mlops/monitor/testing`): a real monitor app on a free
 * loopback port that checks tokens against a real registry, and its retraining history store.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTokenVerifier } from '@mlops/client';
import { driftPolicySchema } from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { buildApp } from './app';
import { staticProfileSource } from './profiles';
import { RetrainHistory } from './retrain-history';

export { RetrainHistory } from './retrain-history';

export interface TestMonitor {
  url: string;
  /** The store `GET /v1/models/:model/retraining/history` reads (the Retrainer writes it). */
  history: RetrainHistory;
  close(): Promise<void>;
}

export async function startTestMonitor(opts: { registryUrl: string }): Promise<TestMonitor> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `test-${randomUUID()}`;
  const logger = createLogger('monitor-testing', 'silent');
  const app = await buildApp({
    callers: createTokenVerifier({ registryUrl: opts.registryUrl, cacheMs: 1_000 }),
    redisUrl,
    prefix,
    profiles: staticProfileSource({}),
    policy: driftPolicySchema.parse({}),
    windowRetain: 1_000,
    pollMs: 1_000,
    alertCooldownMs: 60_000,
    logger,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const redis = new Redis(redisUrl);
  return {
    url: `http://127.0.0.1:${port}`,
    history: new RetrainHistory(redis, `${prefix}:monitor`, logger),
    async close() {
      await app.close();
      await deleteRedisKeys(redis, `${prefix}:*`);
      await redis.quit();
    },
  };
}
