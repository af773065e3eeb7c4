import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys } from '@mlops/contracts';
import { blobRows, blobSchema } from './data';
import { MemoryRegistry } from './memory-registry';

/**
 * What the worker tests against the in-memory registry share: a `train` queue of their own on
 * real Redis (random prefix), its events, a registry holding the `blobs` dataset, and the
 * cleanup of all of it. Call `ready()` in beforeAll and `close()` in afterAll (after the worker).
 */
export function queueHarness() {
  const prefix = `test-${randomUUID()}`;
  const keys = redisKeys(prefix);
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const registry = new MemoryRegistry();
  const queue = new Queue(QUEUE_NAMES.train, { connection: redis, prefix: keys.bullPrefix });
  const events = new QueueEvents(QUEUE_NAMES.train, {
    connection: { host: '127.0.0.1', port: 6379 },
    prefix: keys.bullPrefix,
  });
  return {
    prefix,
    keys,
    redis,
    registry,
    queue,
    events,
    async ready(): Promise<void> {
      await events.waitUntilReady();
      registry.addDataset('blobs', blobSchema, blobRows(150));
    },
    async close(): Promise<void> {
      await queue.close();
      await events.close();
      const stale = await redis.keys(`${prefix}:*`);
      if (stale.length > 0) await redis.del(...stale);
      await redis.quit();
    },
  };
}
