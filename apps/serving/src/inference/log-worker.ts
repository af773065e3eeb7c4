/**
 * Worker thread writing the payload log, so JSON encoding and Redis commands of every logged
 * row run beside the event loop that answers requests instead of on it. Entries arrive as
 * batches from `WorkerLogSink`; drops are reported back so `/metrics` still counts them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createLogger } from '@mlops/config';
import { redisKeys } from '@mlops/contracts';
import { createMetrics } from '../metrics';
import { PayloadLog, type ServedBatch } from '../payload-log';

const dataSchema = z.object({
  redisUrl: z.string(),
  prefix: z.string(),
  sampleRate: z.number(),
  logLevel: z.string(),
});
const data = dataSchema.parse(workerData);
const port = parentPort;
if (!port) throw new Error('log-worker must run in a worker thread');

const logger = createLogger('serving-log', data.logLevel);
const redis = new Redis(data.redisUrl, { maxRetriesPerRequest: 2 });
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error (payload log)'));
const metrics = createMetrics();
const log = new PayloadLog({
  redis,
  keys: redisKeys(data.prefix),
  sampleRate: data.sampleRate,
  metrics,
  logger,
});

/** Dropped entries per model already reported to the main thread. */
const reported = new Map<string, number>();
async function reportDrops(): Promise<void> {
  const { values } = await metrics.payloadLogDropped.get();
  for (const v of values) {
    const model = String(v.labels.model);
    const delta = v.value - (reported.get(model) ?? 0);
    if (delta > 0) {
      reported.set(model, v.value);
      port!.postMessage({ type: 'dropped', model, count: delta });
    }
  }
}
const timer = setInterval(() => void reportDrops(), 1_000);

/**
 * Batches that arrive before the first connection is up wait for it (bounded): the payload
 * log drops entries while Redis is not ready, which is right for an outage, not for start-up.
 */
const MAX_EARLY_BATCHES = 1_000;
let early: ServedBatch[] | null = [];
redis.once('ready', () => {
  const pending = early ?? [];
  early = null;
  for (const b of pending) log.record(b);
});

port.on('message', (msg: { type: 'batch'; batch: ServedBatch } | { type: 'close' }) => {
  if (msg.type === 'batch') {
    if (early && early.length < MAX_EARLY_BATCHES && redis.status !== 'end') early.push(msg.batch);
    else log.record(msg.batch);
    return;
  }
  clearInterval(timer);
  void (async () => {
    if (early && early.length > 0 && redis.status !== 'end') {
      // Closing right after start: give the connection a moment to take what is waiting.
      await new Promise<void>((resolve) => {
        redis.once('ready', () => setImmediate(resolve));
        setTimeout(resolve, 2_000).unref();
      });
    }
    // QUIT is answered after every pipelined XADD before it: nothing written is lost.
    await redis.quit().catch(() => redis.disconnect());
    await reportDrops();
    port.postMessage({ type: 'closed' });
    port.close();
  })();
});
