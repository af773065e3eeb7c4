import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { Redis } from 'ioredis';
import { redisKeys, retrainPolicySchema } from '@mlops/contracts';
import type { DriftPolicy, RetrainPolicy } from '@mlops/contracts';
import { closeRedis, createLogger, trackRoutes } from '@mlops/config';
import type { Logger } from '@mlops/config';
import type { TokenVerifier } from '@mlops/client';
import { installAuth } from './auth';
import { DriftAlerts } from './alerts';
import { registerErrorHandlers } from './errors';
import { createMetrics } from './metrics';
import { DriftMonitor } from './monitor';
import { TensorBaselines } from './image-drift';
import { PredictionBaselines } from './prediction-drift';
import type { ModelSource, ProfileSource } from './profiles';
import { EventPublisher } from './publisher';
import { QualityTracker } from './quality';
import { Retrainer } from './retrain';
import { RetrainSwitches } from './retrain-switch';
import type { RetrainRegistry } from './retrain';
import { driftRoutes } from './routes/drift';
import { feedbackRoutes } from './routes/feedback';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/models';
import { openApiRoutes } from './routes/openapi';
import { retrainingRoutes } from './routes/retraining';
import { StreamReader } from './stream-reader';
import { monitorRouter } from './trpc/router';
import type { MonitorContext, MonitorRouter } from './trpc/router';
import { AlertWebhook, type AlertWebhookOptions } from './webhook';
import { WindowStore } from './windows';

export interface MonitorDeps {
  /** Checks callers' tokens (`createTokenVerifier`, the registry's auth.whoami). */
  callers: TokenVerifier;
  /** MLOPS_PUBLIC_READS: reports open to callers without a token (a laptop, never a network). */
  publicReads?: boolean;
  /** Feedback for predictions served longer ago than this is refused (default 7 days). */
  feedbackMaxAgeMs?: number;
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
  /** Needed for retraining; without it no policy can retrain (reports and alerts still work). */
  registry?: RetrainRegistry;
  /**
   * Thresholds and triggers; `enabled` is the default of models nobody switched (a person
   * switches a model on or off with `PUT /v1/models/:model/retraining`). Default: all off.
   */
  retrainPolicy?: (model: string) => RetrainPolicy;
  /** How often a retraining run is polled (default 1 s). */
  retrainPollMs?: number;
  predictionBaselineRows?: number;
  qualityWindow?: number;
  /** Alert webhook (queued in BullMQ under the deployment's prefix). */
  webhook?: Omit<AlertWebhookOptions, 'redisUrl' | 'bullPrefix' | 'logger' | 'onResult'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    monitor: DriftMonitor;
  }
}

const RETRAIN_OFF = retrainPolicySchema.parse({ enabled: false });

/** Build the monitor app; background reading starts when the app is ready, stops on close. */
export async function buildApp(deps: MonitorDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger('monitor');
  // Typed as the base logger so the app is a plain FastifyInstance for the route modules.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance: baseLogger, routerOptions: { maxParamLength: 5000 } });
  const keys = redisKeys(deps.prefix);
  const redis = new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // XREAD BLOCK holds its connection for up to pollMs: it gets one of its own.
  const blocking = new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  await Promise.all([redis.connect(), blocking.connect()]);

  const metrics = createMetrics();
  const retain = Math.max(deps.windowRetain, deps.policy.windowSize);
  const store = new WindowStore(retain);
  const quality = new QualityTracker({ joinedSize: Math.max(deps.qualityWindow ?? 500, 5_000) });
  const baselines = new PredictionBaselines(deps.predictionBaselineRows ?? 50);
  const tensorBaselines = new TensorBaselines(deps.predictionBaselineRows ?? 50);
  const reader = new StreamReader(blocking, redis, store, {
    prefix: deps.prefix,
    retain,
    blockMs: deps.pollMs,
    logger,
    onRows: (model, rows) => metrics.rowsConsumed.inc({ model }, rows),
    onInvalid: (model) => metrics.invalidEntries.inc({ model }),
    onEntries: (model, entries) => {
      quality.addPredictions(model, entries);
      baselines.add(model, entries);
      tensorBaselines.add(model, entries);
    },
  });
  const webhook = deps.webhook
    ? new AlertWebhook({
        ...deps.webhook,
        redisUrl: deps.redisUrl,
        bullPrefix: keys.bullPrefix,
        logger,
        onResult: (ok) => metrics.webhooks.inc({ result: ok ? 'ok' : 'failed' }),
      })
    : null;
  const publisher = new EventPublisher(redis, keys.events, logger, webhook);
  const monitorKeys = `${keys.prefix}:monitor`;
  // Quality thresholds come from the policy in any case; retraining needs a registry too.
  const retrainPolicy = deps.retrainPolicy ?? (() => RETRAIN_OFF);
  const registry = deps.registry;
  const retrainerPolicy = registry
    ? retrainPolicy
    : (model: string) => ({ ...retrainPolicy(model), enabled: false });
  const switches = new RetrainSwitches(redis, monitorKeys, (m) => retrainerPolicy(m).enabled);
  const retrainer = new Retrainer({
    redis,
    keyPrefix: monitorKeys,
    registry: registry ?? unavailableRegistry(),
    policyFor: retrainerPolicy,
    // Without a registry nothing can retrain, whatever was switched.
    enabledFor: async (m) => registry !== undefined && (await switches.get(m)).enabled,
    publisher,
    feedback: (model) => quality.allRows(model),
    metrics,
    logger,
    ...(deps.retrainPollMs !== undefined ? { pollMs: deps.retrainPollMs } : {}),
  });
  const monitor = new DriftMonitor({
    store,
    reader,
    profiles: deps.profiles,
    ...(deps.models ? { models: deps.models } : {}),
    alerts: new DriftAlerts(redis, publisher, monitorKeys, deps.alertCooldownMs),
    metrics,
    policy: deps.policy,
    pollMs: deps.pollMs,
    logger,
    quality,
    baselines,
    tensorBaselines,
    retrainer,
    retrainPolicy,
    qualityWindow: deps.qualityWindow ?? 500,
    maxAgeMs: deps.feedbackMaxAgeMs ?? 7 * 24 * 3_600_000,
  });
  trackRoutes(app);
  app.decorate('monitor', monitor);

  registerErrorHandlers(app);
  installAuth(app, { verifier: deps.callers, publicReads: deps.publicReads ?? false, metrics });
  healthRoutes(app, redis, metrics);
  retrainingRoutes(app, switches, (model) => retrainer.history(model));
  modelRoutes(app, monitor);
  driftRoutes(app, monitor, retain);
  feedbackRoutes(app, monitor);
  openApiRoutes(app, retain);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: monitorRouter,
      createContext: (): MonitorContext => ({ monitor, maxWindow: retain, windows: store }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          logger.error({ err: error, path }, 'tRPC procedure failed');
      },
    },
  } satisfies FastifyTRPCPluginOptions<MonitorRouter>);

  app.addHook('onReady', () => {
    monitor.start();
    return Promise.resolve();
  });
  app.addHook('onClose', async () => {
    await monitor.stop();
    await publisher.drain();
    await closeRedis(redis);
  });
  return app;
}

/** Placeholder registry when none is configured: retraining is off, so it is never called. */
function unavailableRegistry(): RetrainRegistry {
  const fail = (): never => {
    throw new Error('no registry configured for retraining');
  };
  return new Proxy({} as RetrainRegistry, { get: fail });
}
