import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PREDICTION_LOG_FIELD,
  encodePredictionLogColumns,
  redisKeys,
  type PredictionLogBatch,
} from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { StreamReader } from '../src/stream-reader';
import { WindowStore } from '../src/windows';
import { logEntry } from './fixtures';

const prefix = `test-${randomUUID()}`;
const keys = redisKeys(prefix);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const logger = createLogger('stream-reader-test', 'silent');

/** A `batch` message as serving writes it: ids `<model>-<version>-<from..>`. */
function batchMessage(model: string, version: number, from: number, n: number): string {
  const message: PredictionLogBatch = {
    model,
    version,
    at: new Date().toISOString(),
    rows: Array.from({ length: n }, (_, i) => {
      const { id, features, prediction } = logEntry(model, version, from + i, { x: from + i });
      return { id, features, prediction };
    }),
  };
  return JSON.stringify(message);
}

/** The same rows as serving writes them now: one binary `columns` message. */
function columnsMessage(model: string, version: number, from: number, n: number): Buffer {
  const rows = JSON.parse(batchMessage(model, version, from, n)) as PredictionLogBatch;
  const bytes = encodePredictionLogColumns({
    model,
    version,
    at: rows.at,
    ids: rows.rows.map((r) => r.id),
    rows: rows.rows.map((r) => r.features),
    predictions: rows.rows.map((r) => r.prediction),
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function reader(store: WindowStore, retain = 100) {
  return new StreamReader(redis, redis, store, { prefix, retain, blockMs: 50, logger });
}

afterAll(async () => {
  const found = await redis.keys(`${prefix}:*`);
  if (found.length > 0) await redis.del(...found);
  await redis.quit();
});

describe('StreamReader', () => {
  it('reads columns, batch and entry messages alike, every row once, skipping junk', async () => {
    const model = 'mixed';
    const key = keys.predictions(model);
    await redis.xadd(key, '*', 'entry', JSON.stringify(logEntry(model, 1, 0, { x: 0 })));
    await redis.xadd(key, '*', PREDICTION_LOG_FIELD.batch, batchMessage(model, 1, 1, 3));
    await redis.xadd(key, '*', PREDICTION_LOG_FIELD.batch, '{"model":"mixed","rows":[]}');
    await redis.xadd(key, '*', PREDICTION_LOG_FIELD.columns, Buffer.from('not columns at all'));
    await redis.xadd(key, '*', PREDICTION_LOG_FIELD.columns, columnsMessage(model, 2, 4, 2));
    const store = new WindowStore(100);
    const invalid: string[] = [];
    const r = new StreamReader(redis, redis, store, {
      prefix,
      retain: 100,
      blockMs: 50,
      logger,
      onInvalid: (m) => invalid.push(m),
    });
    await r.catchUp(model);
    expect(store.window(model, 1, 100).map((e) => e.id)).toEqual([
      'mixed-1-0',
      'mixed-1-1',
      'mixed-1-2',
      'mixed-1-3',
    ]);
    expect(store.window(model, 2, 100).map((e) => e.features)).toEqual([{ x: 4 }, { x: 5 }]);
    expect(invalid).toEqual(['mixed', 'mixed']);
    // A second pass (what a report does before it computes) adds nothing twice.
    await redis.xadd(key, '*', PREDICTION_LOG_FIELD.batch, batchMessage(model, 2, 6, 2));
    await r.catchUp(model);
    await r.catchUp(model);
    expect(store.summary(model)?.rowsConsumed).toBe(8);
  });

  it('backfills about `retain` rows, counting the rows of batch messages', async () => {
    const model = 'backfill';
    const key = keys.predictions(model);
    for (let m = 0; m < 10; m++) {
      if (m % 2 === 0)
        await redis.xadd(
          key,
          '*',
          PREDICTION_LOG_FIELD.columns,
          columnsMessage(model, 1, m * 5, 5),
        );
      else await redis.xadd(key, '*', PREDICTION_LOG_FIELD.batch, batchMessage(model, 1, m * 5, 5));
    }
    const store = new WindowStore(100);
    await reader(store, 12).follow(model);
    // The newest messages until 12 rows: 3 messages of 5, oldest first.
    expect(store.window(model, 1, 100).map((e) => e.features.x)).toEqual(
      Array.from({ length: 15 }, (_, i) => 35 + i),
    );
  });

  it('follows new columns messages as serving writes them (XREAD)', async () => {
    const model = 'live';
    const key = keys.predictions(model);
    await redis.xadd(key, '*', PREDICTION_LOG_FIELD.columns, columnsMessage(model, 1, 0, 2));
    const store = new WindowStore(100);
    // stop() disconnects the blocking connection: the reader gets one of its own.
    const r = new StreamReader(new Redis(REDIS_URL), redis, store, {
      prefix,
      retain: 100,
      blockMs: 50,
      logger,
    });
    await r.follow(model);
    r.start();
    try {
      await redis.xadd(key, '*', PREDICTION_LOG_FIELD.columns, columnsMessage(model, 1, 2, 3));
      const deadline = Date.now() + 5_000;
      while (store.window(model, 1, 100).length < 5 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(store.window(model, 1, 100).map((e) => e.features.x)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await r.stop();
    }
  });
});
