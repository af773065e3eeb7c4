import { Redis } from 'ioredis';
import { applyServerLimits, closeOnSignal, createLogger, readTokenFile } from '@mlops/config';
import { createRegistryClient, createTokenVerifier } from '@mlops/client';
import { buildApp } from './app';
import { loadServingEnv } from './env';

const env = loadServingEnv();
const logger = createLogger('serving', env.LOG_LEVEL);

const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 });
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
const registry = createRegistryClient({
  url: env.REGISTRY_URL,
  token: env.MLOPS_TOKEN ?? readTokenFile(process.env.MLOPS_DATA_DIR ?? '.mlops'),
});

const callers = createTokenVerifier({
  registryUrl: env.REGISTRY_URL,
  cacheMs: env.MLOPS_TOKEN_CACHE_MS,
});

const app = await buildApp({ env, registry, callers, redis, logger });
applyServerLimits(app.server, env, logger);
await app.listen({ port: env.SERVING_PORT, host: env.MLOPS_BIND });

closeOnSignal(app, {
  logger,
  message: 'shutting down: draining requests and batches',
  errorMessage: 'error during shutdown',
  timeoutMs: 15_000,
});
