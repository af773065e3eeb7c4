import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  PREDICTION_LOG_FIELD,
  decodePredictionLogColumns,
  parsePredictionLogMessage,
  redisKeys,
  type PredictionLogEntry,
} from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { createMetrics } from '../src/metrics';
import {
  PayloadLog,
  PREDICTION_STREAM_ROWS,
  REDACTED,
  parseRedactList,
  parseSampleRates,
  streamMaxLen,
  type ServedBatch,
} from '../src/payload-log';
import { deleteKeys, eventually, REDIS_URL, testPrefix } from './support/app';

const prefix = testPrefix();
const keys = redisKeys(prefix);
const logger = createLogger('payload-log-test', 'silent');
let redis: Redis;

const batch = (n: number): ServedBatch => ({
  model: 'iris',
  version: 3,
  ids: Array.from({ length: n }, (_, i) => `id-${i}`),
  rows: Array.from({ length: n }, (_, i) => ({ x: i, color: 'red' })),
  predictions: Array.from({ length: n }, () => ({
    label: 'pos',
    probabilities: { pos: 0.9, neg: 0.1 },
  })),
});

async function dropped(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const m = await metrics.payloadLogDropped.get();
  return m.values.find((v) => v.labels.model === 'iris')?.value ?? 0;
}

/** Every row logged to a model's stream, in order, whatever message it came in. */
async function loggedRows(model: string): Promise<PredictionLogEntry[]> {
  // Read as bytes: the log's `columns` messages are binary.
  const stream = await redis.xrangeBuffer(keys.predictions(model), '-', '+');
  return stream.flatMap(([, fields]) => parsePredictionLogMessage(fields) ?? []);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await redis.ping(); // connected: the log drops entries while the connection is not ready
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('PayloadLog', () => {
  it('XADDs one binary "columns" message per served batch, every row with its id, features and prediction', async () => {
    const log = new PayloadLog({ redis, keys, sampleRate: 1, metrics: createMetrics(), logger });
    log.record(batch(5));
    const stream = await eventually(async () => {
      const s = await redis.xrangeBuffer(keys.predictions('iris'), '-', '+');
      return s.length === 1 ? s : undefined;
    }, 'one message');
    const [, fields] = stream[0]!;
    expect(fields.length).toBe(2);
    expect(fields[0]!.toString()).toBe(PREDICTION_LOG_FIELD.columns);
    const entries = decodePredictionLogColumns(fields[1]!) ?? [];
    expect(entries.map((e) => e.id)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    expect(entries[2]).toMatchObject({
      model: 'iris',
      version: 3,
      features: { x: 2, color: 'red' },
      prediction: { label: 'pos' },
    });
  });

  it('trims the stream to a row budget whatever the batch size', () => {
    expect(streamMaxLen(1)).toBe(PREDICTION_STREAM_ROWS);
    expect(streamMaxLen(100)).toBe(PREDICTION_STREAM_ROWS / 100);
    expect(streamMaxLen(500)).toBe(PREDICTION_STREAM_ROWS / 500);
    // Never below 100 messages: approximate trimming works on whole nodes of ~100 messages.
    expect(streamMaxLen(10_000)).toBe(100);
  });

  it('samples rows', async () => {
    const before = (await loggedRows('iris')).length;
    const values = [0.1, 0.9, 0.2, 0.8];
    let i = 0;
    const log = new PayloadLog({
      redis,
      keys,
      sampleRate: 0.5,
      metrics: createMetrics(),
      logger,
      random: () => values[i++ % values.length] ?? 0,
    });
    log.record(batch(4));
    const rows = await eventually(async () => {
      const all = await loggedRows('iris');
      return all.length === before + 2 ? all : undefined;
    }, 'two more rows');
    expect(rows.slice(before).map((r) => r.id)).toEqual(['id-0', 'id-2']);
    const none = new PayloadLog({ redis, keys, sampleRate: 0, metrics: createMetrics(), logger });
    none.record(batch(4));
    await redis.ping(); // an XADD would have been sent before this answers
    expect(await loggedRows('iris')).toHaveLength(before + 2);
  });

  it('never throws and counts entries it could not write', async () => {
    // A real client that is not connected (and never will be): nothing may queue up in it.
    const offline = new Redis(REDIS_URL, { lazyConnect: true });
    const metrics = createMetrics();
    const log = new PayloadLog({ redis: offline, keys, sampleRate: 1, metrics, logger });
    expect(() => log.record(batch(3))).not.toThrow();
    expect(await dropped(metrics)).toBe(3);
    offline.disconnect();
  });

  it('counts entries Redis refused', async () => {
    const key = keys.predictions('iris');
    const wrongType = `${prefix}:predictions:wrongtype`;
    await redis.set(wrongType, 'not a stream');
    const metrics = createMetrics();
    const log = new PayloadLog({ redis, keys, sampleRate: 1, metrics, logger });
    log.record({ ...batch(2), model: 'wrongtype' });
    await eventually(async () => {
      const m = await metrics.payloadLogDropped.get();
      return m.values.find((v) => v.labels.model === 'wrongtype')?.value === 2 ? true : undefined;
    }, 'dropped count');
    expect(await redis.exists(key)).toBe(1);
  });

  it('redacts configured fields, keeping the key', async () => {
    const model = 'redacted';
    const log = new PayloadLog({
      redis,
      keys,
      sampleRate: 1,
      metrics: createMetrics(),
      logger,
      redact: ['color'],
    });
    log.record({ ...batch(2), model });
    const rows = await eventually(async () => {
      const all = await loggedRows(model);
      return all.length === 2 ? all : undefined;
    }, 'two rows');
    expect(rows[1]!.features).toEqual({ x: 1, color: REDACTED });
    const raw = await redis.xrangeBuffer(keys.predictions(model), '-', '+');
    // The stored message itself, not only what a parser hands back, holds no raw value.
    expect(raw[0]![1][1]!.toString('latin1')).toContain('"name":"color","kind":"redacted"');
    expect(raw[0]![1][1]!.toString('latin1')).not.toContain('red"');
  });

  it('reads SERVING_LOG_REDACT and per-model rates from the environment', async () => {
    process.env.SERVING_LOG_REDACT = ' x , ';
    process.env.SERVING_LOG_SAMPLE_RATES = 'rated=0';
    try {
      const log = new PayloadLog({ redis, keys, sampleRate: 1, metrics: createMetrics(), logger });
      log.record({ ...batch(3), model: 'rated' });
      log.record({ ...batch(1), model: 'envredact' });
      const rows = await eventually(async () => {
        const all = await loggedRows('envredact');
        return all.length === 1 ? all : undefined;
      }, 'one row');
      expect(rows[0]!.features).toEqual({ x: REDACTED, color: 'red' });
      await redis.ping();
      expect(await redis.exists(keys.predictions('rated'))).toBe(0);
    } finally {
      delete process.env.SERVING_LOG_REDACT;
      delete process.env.SERVING_LOG_SAMPLE_RATES;
    }
  });

  it('parses the lists and refuses a malformed rate', () => {
    expect(parseRedactList('a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseRedactList(undefined)).toEqual([]);
    expect(parseSampleRates('iris=0.1, churn=1')).toEqual({ iris: 0.1, churn: 1 });
    expect(() => parseSampleRates('iris=2')).toThrow(/SERVING_LOG_SAMPLE_RATES/);
    expect(() => parseSampleRates('iris')).toThrow(/model=rate/);
  });
});
