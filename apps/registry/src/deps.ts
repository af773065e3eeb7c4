import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys, type RedisKeys, type TrainJobPayload } from '@mlops/contracts';
import { createLogger, type Logger } from '@mlops/config';
import { fsStoreOf, openSqliteDb, sqliteFileOf, type ArtifactStore, type Db } from '@mlops/storage';
import { createMetrics, type RegistryMetrics } from './metrics';

/** Everything the registry talks to; built once, closed by the app's onClose hook. */
export interface RegistryDeps {
  db: Db;
  store: ArtifactStore;
  redis: Redis;
  queue: Queue<TrainJobPayload>;
  keys: RedisKeys;
  adminToken: string;
  dataDir: string;
  /** Scratch space for uploads in flight (same filesystem as the store: cheap renames). */
  tmpDir: string;
  maxUploadBytes: number;
  logger: Logger;
  metrics: RegistryMetrics;
}

export interface DepsConfig {
  dataDir: string;
  redisUrl: string;
  redisPrefix: string;
  adminToken: string;
  maxUploadBytes: number;
  logLevel?: string;
}

export async function createDeps(config: DepsConfig): Promise<RegistryDeps> {
  const keys = redisKeys(config.redisPrefix);
  const tmpDir = path.join(config.dataDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const db = await openSqliteDb(sqliteFileOf(config.dataDir));
  // maxRetriesPerRequest null: BullMQ shares this connection and asks for it.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<TrainJobPayload>(QUEUE_NAMES.train, {
    connection: redis,
    prefix: keys.bullPrefix,
  });
  return {
    db,
    store: fsStoreOf(config.dataDir),
    redis,
    queue,
    keys,
    adminToken: config.adminToken,
    dataDir: config.dataDir,
    tmpDir,
    maxUploadBytes: config.maxUploadBytes,
    logger: createLogger('registry', config.logLevel),
    metrics: createMetrics(),
  };
}

export async function closeDeps(deps: RegistryDeps): Promise<void> {
  await deps.queue.close();
  deps.redis.disconnect();
  await deps.db.destroy();
}
