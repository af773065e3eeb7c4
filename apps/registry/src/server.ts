import { closeOnSignal, resolveAdminToken, createLogger } from '@mlops/config';
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
  logLevel: env.LOG_LEVEL,
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
const app = await buildApp(deps, { logLevel: env.LOG_LEVEL });
const url = await app.listen({ port: env.REGISTRY_PORT, host: env.HOST });
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
// Never the token itself: only where to find it.
if (admin.generated)
  log.info({ file: admin.file }, `generated an admin token; it is in ${admin.file}`);

closeOnSignal(app, { logger: log, once: true });
