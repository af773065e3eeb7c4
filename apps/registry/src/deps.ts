import path from 'node:path';
import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys, type RedisKeys, type TrainJobPayload } from '@mlops/contracts';
import { closeRedis, createLogger, redisSettled, type Logger } from '@mlops/config';
import {
  fsStoreOf,
  insertEventIfNew,
  openDatabase,
  privateDir,
  S3ArtifactStore,
  sqliteFileOf,
  tightenDir,
  type ArtifactStore,
  type Db,
  type S3StoreConfig,
} from '@mlops/storage';
import { SecretBox } from '@mlops/webhooks';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './domain/datasets/images/limits';
import { parseEvent } from './domain/events';
import { sweepUploadTemp } from './domain/temp-sweep';
import { WebhookDispatcher, type WebhookOptions } from './domain/webhooks';
import { createMetrics, type RegistryMetrics } from './metrics';
import { closeQueues } from './queues';

/** Everything the registry talks to; built once, closed by the app's onClose hook. */
export interface RegistryDeps {
  db: Db;
  store: ArtifactStore;
  redis: Redis;
  queue: Queue<TrainJobPayload>;
  /** Enqueues a sweep: its parent job and the trial jobs as one BullMQ flow. */
  flows: FlowProducer;
  keys: RedisKeys;
  adminToken: string;
  dataDir: string;
  /** Scratch space for uploads in flight (same filesystem as the store: cheap renames). */
  tmpDir: string;
  maxUploadBytes: number;
  /** Bounds of an image dataset upload (REGISTRY_MAX_DATASET_IMAGES, _IMAGE_BYTES, _IMAGE_PIXELS). */
  imageLimits: ImageLimits;
  /** MLOPS_PUBLIC_READS: reads without a token (a laptop); a bad token is still a 401. */
  publicReads: boolean;
  logger: Logger;
  metrics: RegistryMetrics;
  webhooks: WebhookDispatcher;
  /** Seals and opens stored secrets (webhook HMAC keys); its key never touches the database. */
  secrets: SecretBox;
  /** Subscribed to the events channel: webhooks also fire for events other apps publish. */
  subscriber: Redis;
}

export interface DepsConfig {
  dataDir: string;
  redisUrl: string;
  redisPrefix: string;
  adminToken: string;
  maxUploadBytes: number;
  imageLimits?: Partial<ImageLimits>;
  /** Let anonymous callers read (default false: reads need the `read` scope). */
  publicReads?: boolean;
  logLevel?: string;
  /** postgres://… selects Postgres; otherwise SQLite in the data directory. */
  databaseUrl?: string;
  /** S3/MinIO artifact store; otherwise the filesystem store of the data directory. */
  s3?: S3StoreConfig & { createBucket?: boolean };
  webhooks?: WebhookOptions;
  /** MLOPS_SECRET_KEY; unset: a key file generated in the data directory. */
  secretKey?: string;
}

export async function createDeps(config: DepsConfig): Promise<RegistryDeps> {
  const keys = redisKeys(config.redisPrefix);
  const logger = createLogger('registry', config.logLevel);
  // Owner-only: the database, artifacts, temp files and logs below hold training data, model
  // weights and token hashes. Tightens what an earlier version created readable to everyone.
  const tmpDir = path.join(config.dataDir, 'tmp');
  const loose = tightenDir(config.dataDir);
  if (!privateDir(tmpDir)) loose.push(tmpDir);
  if (loose.length > 0)
    logger.warn(
      { paths: loose },
      'could not make these owner-only (not their owner); check who else can read the data dir',
    );
  const db = await openDatabase({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    sqliteFile: sqliteFileOf(config.dataDir),
  });
  let store: ArtifactStore;
  try {
    store = await openStore(config, tmpDir);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  // maxRetriesPerRequest null: BullMQ shares this connection and asks for it.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<TrainJobPayload>(QUEUE_NAMES.train, {
    connection: redis,
    prefix: keys.bullPrefix,
  });
  const flows = new FlowProducer({ connection: redis, prefix: keys.bullPrefix });
  const metrics = createMetrics();
  const secrets = SecretBox.open(config.dataDir, config.secretKey);
  // No upload of this process is in flight yet: whatever is in the temp dirs was left by one
  // that died with an earlier process (a kill -9 mid-upload), and nothing else removes it.
  const swept = await sweepUploadTemp({ store, tmpDir }, 'all').catch((err: unknown) => {
    logger.warn({ err }, 'could not sweep the temp files of interrupted uploads');
    return { files: 0, bytes: 0 };
  });
  if (swept.files > 0)
    logger.info(swept, `removed ${swept.files} temp file(s) of interrupted uploads`);
  const webhooks = new WebhookDispatcher(db, secrets, logger, {
    ...config.webhooks,
    redisUrl: config.redisUrl,
    bullPrefix: keys.bullPrefix,
    onResult: (result) => metrics.webhookAttempts.inc({ result }),
  });
  try {
    await webhooks.start();
  } catch (err) {
    await webhooks.close();
    await queue.close();
    await flows.close();
    redis.disconnect();
    await db.destroy();
    throw err;
  }
  const subscriber = redis.duplicate();
  subscriber.on('message', (_channel: string, message: string) => {
    const event = parseEvent(message);
    if (!event) return;
    // Events of other services (monitor: drift, quality, retraining) become part of the
    // registry's durable history too, so `events.recent` shows every step of the loop.
    insertEventIfNew(db, event).catch((err: unknown) =>
      logger.warn({ err, event: event.id }, 'could not store an event heard on the channel'),
    );
    webhooks.offer(event);
  });
  subscriber
    .subscribe(keys.events)
    .catch((err: unknown) =>
      logger.warn(
        { err },
        'could not subscribe to the events channel; webhooks fire for registry events only',
      ),
    );
  return {
    db,
    store,
    redis,
    queue,
    flows,
    keys,
    adminToken: config.adminToken,
    dataDir: config.dataDir,
    tmpDir,
    maxUploadBytes: config.maxUploadBytes,
    imageLimits: { ...DEFAULT_IMAGE_LIMITS, ...config.imageLimits },
    publicReads: config.publicReads ?? false,
    logger,
    metrics,
    webhooks,
    secrets,
    subscriber,
  };
}

/** Where the S3 store spools puts, under the registry's temp dir. */
export const S3_SPOOL_DIR = 's3-spool';

async function openStore(config: DepsConfig, tmpDir: string): Promise<ArtifactStore> {
  if (!config.s3) return fsStoreOf(config.dataDir);
  // Its own spool dir under ours, so the registry's temp sweep and the store's never count (or
  // race to remove) the same file.
  const store = new S3ArtifactStore({ tmpDir: path.join(tmpDir, S3_SPOOL_DIR), ...config.s3 });
  if (config.s3.createBucket ?? true) await store.ensureBucket(config.s3.region);
  return store;
}

export async function closeDeps(deps: RegistryDeps): Promise<void> {
  // A connection cut mid-handshake rejects its pending commands in the background (an unhandled
  // "Connection is closed" from ioredis, seen when a short-lived registry closes under load):
  // let the handshakes settle, then close each connection gracefully.
  await Promise.allSettled([
    deps.queue.waitUntilReady(),
    deps.flows.waitUntilReady(),
    redisSettled(deps.subscriber),
  ]);
  await deps.webhooks.close();
  await closeRedis(deps.subscriber);
  await deps.queue.close();
  await deps.flows.close();
  await closeQueues(deps);
  await closeRedis(deps.redis);
  await deps.db.destroy();
}
