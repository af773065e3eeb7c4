import { Redis } from 'ioredis';
import { createLogger, readTokenFile } from '@mlops/config';
import { createRegistryClient } from '@mlops/client';
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

const app = await buildApp({ env, registry, redis, logger });
await app.listen({ port: env.SERVING_PORT, host: env.HOST });

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down: draining requests and batches');
  const force = setTimeout(() => {
    logger.error('shutdown took longer than 15 s; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  try {
    await app.close();
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
