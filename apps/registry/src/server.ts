import { applyServerLimits, closeOnSignal, resolveAdminToken, createLogger } from '@mlops/config';
import { webhookSettingsOf } from '@mlops/webhooks';
import { buildApp } from './app';
import { createDeps } from './deps';
import { loadEnv } from './env';

// Whatever this process creates (database, WAL, artifacts, temp files) is owner-only, including
// files made by libraries that take no mode; deps.ts also tightens what already exists.
process.umask(0o077);
const env = loadEnv();
const log = createLogger('registry', env.LOG_LEVEL);
const admin = resolveAdminToken(env.MLOPS_DATA_DIR, env.MLOPS_TOKEN);
const deps = await createDeps({
  dataDir: env.MLOPS_DATA_DIR,
  redisUrl: env.REDIS_URL,
  redisPrefix: env.MLOPS_REDIS_PREFIX,
  adminToken: admin.token,
  maxUploadBytes: env.REGISTRY_MAX_UPLOAD_BYTES,
  imageLimits: {
    images: env.REGISTRY_MAX_DATASET_IMAGES,
    imageBytes: env.REGISTRY_MAX_IMAGE_BYTES,
    pixels: env.REGISTRY_MAX_IMAGE_PIXELS,
  },
  publicReads: env.MLOPS_PUBLIC_READS,
  logLevel: env.LOG_LEVEL,
  webhooks: webhookSettingsOf(env),
  ...(env.MLOPS_SECRET_KEY ? { secretKey: env.MLOPS_SECRET_KEY } : {}),
  ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  ...(env.S3_ENDPOINT && env.S3_BUCKET && env.S3_ACCESS_KEY && env.S3_SECRET_KEY
    ? {
        s3: {
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          accessKey: env.S3_ACCESS_KEY,
          secretKey: env.S3_SECRET_KEY,
          region: env.S3_REGION,
          pathStyle: env.S3_PATH_STYLE === 'true',
          createBucket: env.S3_CREATE_BUCKET === 'true',
        },
      }
    : {}),
});
const app = await buildApp(deps, {
  logLevel: env.LOG_LEVEL,
  maxJsonBytes: env.REGISTRY_MAX_JSON_BYTES,
});
applyServerLimits(app.server, env, log);
const url = await app.listen({ port: env.REGISTRY_PORT, host: env.MLOPS_BIND });
log.info(
  {
    url,
    dataDir: env.MLOPS_DATA_DIR,
    revision: env.GIT_REVISION ?? 'unknown',
    database: env.DATABASE_URL ? 'postgres' : 'sqlite',
    artifacts: env.S3_ENDPOINT ? `s3:${env.S3_BUCKET ?? ''}` : 'filesystem',
  },
  `registry listening on ${url}`,
);
if (env.MLOPS_PUBLIC_READS)
  log.warn(
    'MLOPS_PUBLIC_READS=true: anyone who can reach the registry reads datasets and models without a token; for a laptop only',
  );
// Replicas sharing a database must seal and open webhook secrets with the same key; a key
// file generated per replica would leave each unable to open the others' secrets.
if (env.DATABASE_URL && !env.MLOPS_SECRET_KEY)
  log.warn(
    'MLOPS_SECRET_KEY is not set: webhook secrets are sealed with a key file in the data ' +
      'directory; set the same MLOPS_SECRET_KEY on every registry replica sharing this database',
  );
// Never the token itself: only where to find it.
if (admin.generated)
  log.info({ file: admin.file }, `generated an admin token; it is in ${admin.file}`);

closeOnSignal(app, { logger: log, once: true });
