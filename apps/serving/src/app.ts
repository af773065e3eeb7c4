import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { trackRoutes } from '@mlops/config';
import type { TokenVerifier } from '@mlops/client';
import { initBackend } from '@mlops/ml/backend';
import type { ServingEnv } from './env';
import { installAuth } from './auth';
import { installErrorHandlers } from './errors';
import { installJsonBodyParser } from './json-body';
import { withLazyRequestLoggers } from './lazy-logger';
import { createMetrics } from './metrics';
import { ModelSet } from './models/model-set';
import { RegistryFollower } from './models/registry-follower';
import { registrySource, type RegistryReader } from './models/registry-source';
import type { ModelSource } from './models/source';
import { PayloadLog } from './payload-log';
import { healthRoutes } from './routes/health';
import { openApiRoutes } from './routes/openapi';
import type { InferDeps } from './inference/infer';
import { PredictionIds } from './inference/prediction-ids';
import { LogBuffer, type LogSink } from './inference/log-buffer';
import { ShadowRecorder } from './inference/shadow';
import { mlflowRoutes } from './protocols/mlflow';
import { tfServingRoutes } from './protocols/tfserving';
import { v2Routes } from './protocols/v2';
import { statusRoutes } from './routes/status';
import { statsRoutes } from './routes/stats';

export interface AppDeps {
  env: ServingEnv;
  /** The registry client (`createRegistryClient`); used unless `source` is given. */
  registry?: RegistryReader;
  /** Where versions come from; defaults to the registry. Tests pass an in-memory source. */
  source?: ModelSource;
  /** Checks callers' tokens (`createTokenVerifier`, the registry's auth.whoami). */
  callers: TokenVerifier;
  /** Owned by the app from here on: closed in `onClose`. */
  redis: Redis;
  logger: Logger;
  /**
   * Wraps the payload log's sink. The serving benchmark uses it to switch the log on and off
   * within one process, so the log's cost is measured against the same process a second later.
   */
  wrapLogSink?: (sink: LogSink) => LogSink;
}

export interface ServingState {
  models: ModelSet;
  follower: RegistryFollower;
}

declare module 'fastify' {
  interface FastifyInstance {
    serving: ServingState;
  }
}

/**
 * The serving app: routes, the model set and its follower. Models start loading when the app
 * is ready (`listen` or `ready()`); `/readyz` says when they are in service.
 */
export async function buildApp(deps: AppDeps) {
  const { env, redis, logger } = deps;
  const backend = await initBackend(env.SERVING_BACKEND);
  logger.info({ backend }, 'TF.js backend ready');

  const source = deps.source ?? (deps.registry ? registrySource(deps.registry) : undefined);
  if (!source) throw new Error('buildApp needs a registry client or a model source');

  const keys = redisKeys(env.MLOPS_REDIS_PREFIX);
  const metrics = createMetrics();
  const models = new ModelSet({
    alias: env.SERVING_ALIAS,
    models: env.SERVING_MODELS,
    source,
    batching: {
      maxBatchRows: env.SERVING_MAX_BATCH_ROWS,
      maxLatencyMs: env.SERVING_MAX_LATENCY_MS,
      maxQueueRows: env.SERVING_MAX_QUEUE_ROWS,
      timeoutMs: env.SERVING_REQUEST_TIMEOUT_MS,
      maxBatchValues: env.SERVING_MAX_REQUEST_VALUES,
    },
    metrics,
    logger,
    maxExtraVersions: env.SERVING_MAX_EXTRA_VERSIONS,
    aliasTtlMs: env.SERVING_ALIAS_TTL_MS,
    standbyMs: env.SERVING_STANDBY_MS,
    preload: env.SERVING_PRELOAD,
    allowUnpromoted: env.SERVING_ALLOW_UNPROMOTED,
    runtime: {
      choice: env.SERVING_RUNTIME,
      onnx: { intraOpThreads: env.SERVING_ONNX_THREADS },
    },
  });
  const subscriber = redis.duplicate();
  const follower = new RegistryFollower({
    models,
    subscriber,
    channel: keys.events,
    reconcileMs: env.SERVING_RECONCILE_MS,
    logger,
  });
  const payloadLog = new PayloadLog({
    redis,
    keys,
    sampleRate: env.SERVING_LOG_SAMPLE_RATE,
    metrics,
    logger,
  });

  // Typed as Fastify's logger so route modules take a plain FastifyInstance.
  const loggerInstance: FastifyBaseLogger = withLazyRequestLoggers(logger);
  const app = Fastify({
    loggerInstance,
    bodyLimit: env.SERVING_MAX_BODY_BYTES,
    // One log line per prediction would cost more than the prediction; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  trackRoutes(app);
  app.decorate('serving', { models, follower });
  installErrorHandlers(app, env.SERVING_MAX_BODY_BYTES);
  installAuth(app, { verifier: deps.callers, publicReads: env.MLOPS_PUBLIC_READS, metrics });
  installJsonBodyParser(app);
  // Nothing would be sampled: skip collecting and handing over rows altogether.
  const logNothing = env.SERVING_LOG_SAMPLE_RATE === 0 && !process.env.SERVING_LOG_SAMPLE_RATES;
  const sink: LogSink = logNothing ? { record: () => undefined } : payloadLog;
  const logBuffer = new LogBuffer(deps.wrapLogSink ? deps.wrapLogSink(sink) : sink);
  const inferDeps: InferDeps = {
    models,
    metrics,
    logBuffer,
    shadow: new ShadowRecorder(models, metrics, logger),
    routes: env.SERVING_ROUTES,
    maxRequestRows: env.SERVING_MAX_REQUEST_ROWS,
    maxRequestValues: env.SERVING_MAX_REQUEST_VALUES,
    unknownCategory: env.SERVING_UNKNOWN_CATEGORY,
    ids: new PredictionIds(),
  };
  tfServingRoutes(app, inferDeps, env.SERVING_MAX_BODY_BYTES);
  v2Routes(app, inferDeps, env.SERVING_MAX_BODY_BYTES);
  mlflowRoutes(app, inferDeps, env.SERVING_MAX_BODY_BYTES, env.SERVING_MLFLOW_MODEL);
  statusRoutes(app, models, { maxBodyBytes: env.SERVING_MAX_BODY_BYTES });
  statsRoutes(app, { models, metrics, routes: env.SERVING_ROUTES });
  healthRoutes(app, { models, redis, metrics });
  openApiRoutes(app);

  app.addHook('onReady', async () => {
    await follower.start();
  });
  // Runs after in-flight requests completed: batches are drained by then, so models can go.
  app.addHook('onClose', async () => {
    await follower.stop();
    await models.close();
    inferDeps.logBuffer.flush();
    subscriber.disconnect();
    // QUIT is answered after every XADD sent before it: no logged batch is lost on shutdown.
    await redis.quit().catch(() => redis.disconnect());
  });
  return app;
}

export type ServingApp = Awaited<ReturnType<typeof buildApp>>;
