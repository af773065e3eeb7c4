import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { redisKeys } from '@mlops/contracts';
import type { DriftPolicy } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import type { Logger } from '@mlops/config';
import { DriftAlerts } from './alerts';
import { registerErrorHandlers } from './errors';
import { createMetrics } from './metrics';
import { DriftMonitor } from './monitor';
import type { ModelSource, ProfileSource } from './profiles';
import { driftRoutes } from './routes/drift';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/models';
import { StreamReader } from './stream-reader';
import { WindowStore } from './windows';

export interface MonitorDeps {
  redisUrl: string;
  prefix: string;
  profiles: ProfileSource;
  /** Extra model discovery besides the streams (the registry's model list). */
  models?: ModelSource;
  policy: DriftPolicy;
  /** Entries kept per model version: the largest window a request may ask for. */
  windowRetain: number;
  pollMs: number;
  alertCooldownMs: number;
  logger?: Logger;
}

declare module 'fastify' {
  interface FastifyInstance {
    monitor: DriftMonitor;
  }
}

/** Build the monitor app; background reading starts when the app is ready, stops on close. */
export async function buildApp(deps: MonitorDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger('monitor');
  // Typed as the base logger so the app is a plain FastifyInstance for the route modules.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance: baseLogger });
  const keys = redisKeys(deps.prefix);
  const redis = new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // XREAD BLOCK holds its connection for up to pollMs: it gets one of its own.
  const blocking = new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  await Promise.all([redis.connect(), blocking.connect()]);

  const metrics = createMetrics();
  const store = new WindowStore(Math.max(deps.windowRetain, deps.policy.windowSize));
  const reader = new StreamReader(blocking, redis, store, {
    prefix: deps.prefix,
    retain: Math.max(deps.windowRetain, deps.policy.windowSize),
    blockMs: deps.pollMs,
    logger,
    onRows: (model, rows) => metrics.rowsConsumed.inc({ model }, rows),
    onInvalid: (model) => metrics.invalidEntries.inc({ model }),
  });
  const monitor = new DriftMonitor({
    store,
    reader,
    profiles: deps.profiles,
    ...(deps.models ? { models: deps.models } : {}),
    alerts: new DriftAlerts(redis, keys.events, deps.alertCooldownMs),
    metrics,
    policy: deps.policy,
    pollMs: deps.pollMs,
    logger,
  });
  app.decorate('monitor', monitor);

  registerErrorHandlers(app);
  healthRoutes(app, redis, metrics);
  modelRoutes(app, monitor);
  driftRoutes(app, monitor, Math.max(deps.windowRetain, deps.policy.windowSize));

  app.addHook('onReady', () => {
    monitor.start();
    return Promise.resolve();
  });
  app.addHook('onClose', async () => {
    await monitor.stop();
    await redis.quit();
  });
  return app;
}
