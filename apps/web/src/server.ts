import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeOnSignal, createLogger } from '@mlops/config';
import { buildApp } from './http-app';
import { loadEnv } from './env';

const env = loadEnv();
const logger = createLogger('web', env.LOG_LEVEL);
const distDir =
  env.WEB_DIST_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/public');

const app = await buildApp({
  upstreams: { registry: env.REGISTRY_URL, serving: env.SERVING_URL, monitor: env.MONITOR_URL },
  distDir,
  logger,
  upstreamCa: env.WEB_UPSTREAM_CA_FILE?.pem,
  limits: env,
});

closeOnSignal(app, { logger });

await app.listen({ port: env.WEB_PORT, host: env.MLOPS_BIND });
logger.info(
  {
    distDir,
    upstreams: { registry: env.REGISTRY_URL, serving: env.SERVING_URL, monitor: env.MONITOR_URL },
    upstreamCaFile: env.WEB_UPSTREAM_CA_FILE?.file,
  },
  'web listening',
);
