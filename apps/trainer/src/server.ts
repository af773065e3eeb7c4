import { Redis } from 'ioredis';
import { createRegistryClient } from '@mlops/client';
import {
  applyServerLimits,
  closeRedis,
  createLogger,
  parseEnv,
  readTokenFile,
} from '@mlops/config';
import { buildApp } from './app';
import { trainerEnvSchema } from './env';
import { createTrainerMetrics } from './metrics';
import { createTrainerWorker } from './worker';
import { createEvaluateWorker } from './evaluation/worker';
import { createPipelineWorker } from './pipelines/worker';

const env = parseEnv(trainerEnvSchema);
const logger = createLogger('trainer', env.LOG_LEVEL);
const token = env.MLOPS_TOKEN ?? readTokenFile(env.MLOPS_DATA_DIR);
if (!token)
  logger.warn(
    'no MLOPS_TOKEN and no token file: the registry will refuse to hand out datasets and to record runs',
  );

// BullMQ workers block on Redis; ioredis must retry forever rather than fail pending commands.
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const metrics = createTrainerMetrics();
const registry = createRegistryClient({ url: env.REGISTRY_URL, ...(token ? { token } : {}) });
const worker = createTrainerWorker({
  connection: redis,
  redisPrefix: env.MLOPS_REDIS_PREFIX,
  concurrency: env.TRAINER_CONCURRENCY,
  registry,
  backend: env.TRAINER_BACKEND,
  logger,
  metrics,
  lockDurationMs: env.TRAINER_LOCK_MS,
  ...(env.TRAINER_STALLED_INTERVAL_MS
    ? { stalledIntervalMs: env.TRAINER_STALLED_INTERVAL_MS }
    : {}),
  checkpointIntervalMs: env.TRAINER_CHECKPOINT_INTERVAL_MS,
  threadGrace: { shutdownGraceMs: env.TRAINER_SHUTDOWN_GRACE_MS },
  streamRowsAbove: env.TRAINER_STREAM_ROWS,
  threadMaxJobs: env.TRAINER_THREAD_MAX_JOBS,
  threadMaxHeapMb: env.TRAINER_THREAD_MAX_HEAP_MB,
});

// Re-evaluations of registered versions (versions.evaluate): platform metrics for the gate.
const evaluator = createEvaluateWorker({
  connection: redis,
  redisPrefix: env.MLOPS_REDIS_PREFIX,
  registry,
  backend: env.TRAINER_BACKEND,
  logger,
});

// Pipeline steps (docs/pipelines.md): each a job of the `pipeline` queue; TRAINER_PIPELINES=false
// leaves them to another worker.
const pipelines =
  env.TRAINER_PIPELINES === 'true'
    ? createPipelineWorker({
        connection: redis,
        redisPrefix: env.MLOPS_REDIS_PREFIX,
        client: registry,
        logger,
        dataDir: env.MLOPS_DATA_DIR,
        concurrency: env.TRAINER_PIPELINE_CONCURRENCY,
        // The same lock as training jobs: a dead worker's step is handed back as quickly.
        lockDurationMs: env.TRAINER_LOCK_MS,
        ...(env.TRAINER_STALLED_INTERVAL_MS
          ? { stalledIntervalMs: env.TRAINER_STALLED_INTERVAL_MS }
          : {}),
      })
    : undefined;

const app = buildApp({
  metrics,
  logger,
  isReady: async () => worker.isRunning() && (await redis.ping()) === 'PONG',
});
applyServerLimits(app.server, env, logger);
await app.listen({ host: env.MLOPS_BIND, port: env.TRAINER_PORT });

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down: checkpointing the current epoch');
  try {
    await app.close();
    // The running fit finishes its epoch, checkpoints and hands the job back to the queue (its
    // thread is terminated after TRAINER_SHUTDOWN_GRACE_MS; the last checkpoint then counts).
    await Promise.all([worker.shutdown(), evaluator.close(), pipelines?.close()]);
    await closeRedis(redis);
  } catch (err) {
    logger.error({ err }, 'unclean shutdown');
    process.exitCode = 1;
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
