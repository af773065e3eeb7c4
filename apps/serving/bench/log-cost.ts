/**
 * `npm run bench:log [-- --json] [-- --rows 1000]`: what the payload log costs serving per row,
 * in-process, against the previous format measured in the same run. Both write to Redis through
 * the same connection, alternating, so the figures share the machine's state of the moment —
 * which the HTTP benchmark cannot promise on shared cores, where two 5-second runs of the same
 * server can differ by 40%.
 *   columns  PayloadLog as deployed: one binary `columns` message per batch
 *   json     the same rows as one JSON `batch` message (the format before, as a baseline)
 * Rows per message default to 1,000 (≈ LogBuffer's 100 ms of answers at 10k requests/s; it hands
 * rows over at 1,024 at the latest). Needs Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '@mlops/config';
import {
  PREDICTION_LOG_FIELD,
  redisKeys,
  type DataRow,
  type Prediction,
  type PredictionLogBatch,
} from '@mlops/contracts';
import { createMetrics } from '../src/metrics';
import { PayloadLog, streamMaxLen, type ServedBatch } from '../src/payload-log';

const args = process.argv.slice(2);
const json = args.includes('--json');
const rowsIndex = args.indexOf('--rows');
const ROWS = rowsIndex >= 0 ? Math.max(1, Number(args[rowsIndex + 1])) : 1_000;
const REPS = 5;

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = redisKeys(`bench-log-${process.pid}`);

/** A batch of the serving benchmark's two models: tiny (x, y, colour → 2 classes), mlp (32 → 1). */
function batchOf(model: 'tiny' | 'mlp'): ServedBatch {
  const rows: DataRow[] = [];
  const predictions: Prediction[] = [];
  for (let r = 0; r < ROWS; r++) {
    const row: DataRow = {};
    if (model === 'mlp') for (let i = 0; i < 32; i++) row[`f${i}`] = ((r * 7 + i) % 40) / 10 - 2;
    else Object.assign(row, { x: ((r * 7) % 40) / 10 - 2, y: (r % 9) / 4, colour: 'red' });
    // Parsed from JSON, as each request's row is: an object built key by key with 32 computed
    // names is a dictionary-mode object in V8, slower to read than any row serving ever logs.
    rows.push(JSON.parse(JSON.stringify(row)) as DataRow);
    const p = Math.fround(((r * 37) % 100) / 100);
    predictions.push(
      model === 'mlp'
        ? { value: Math.fround(p * 10) }
        : { label: p > 0.5 ? 'a' : 'b', probabilities: { a: p, b: Math.fround(1 - p) } },
    );
  }
  return { model, version: 1, ids: rows.map(() => randomUUID()), rows, predictions };
}

/** The previous format: the batch's rows as one JSON document. */
function recordJson(batch: ServedBatch): void {
  const message: PredictionLogBatch = {
    model: batch.model,
    version: batch.version,
    at: new Date().toISOString(),
    rows: batch.rows.map((features, i) => ({
      id: batch.ids[i]!,
      features,
      prediction: batch.predictions[i]!,
    })),
  };
  void redis.xadd(
    keys.predictions(`${batch.model}-json`),
    'MAXLEN',
    '~',
    streamMaxLen(batch.rows.length),
    '*',
    PREDICTION_LOG_FIELD.batch,
    JSON.stringify(message),
  );
}

/** CPU µs per row of `record` over `messages` messages, Redis replies included. */
async function cpuPerRow(record: (b: ServedBatch) => void, batch: ServedBatch, messages: number) {
  const start = process.cpuUsage();
  for (let i = 0; i < messages; i++) {
    record(batch);
    if (i % 20 === 19) await redis.ping(); // let replies come back, as serving's event loop does
  }
  await redis.ping();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (messages * batch.rows.length);
}

const log = new PayloadLog({
  redis,
  keys,
  sampleRate: 1,
  metrics: createMetrics(),
  logger: createLogger('bench-log', 'silent'),
});
const result: Record<string, unknown> = { rows_per_message: ROWS, reps: REPS };
try {
  await redis.ping();
  for (const model of ['tiny', 'mlp'] as const) {
    const batch = batchOf(model);
    const messages = Math.ceil(200_000 / ROWS);
    await cpuPerRow((b) => log.record(b), batch, messages); // warm-up (JIT)
    await cpuPerRow(recordJson, batch, messages);
    const columns: number[] = [];
    const jsonRows: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      columns.push(await cpuPerRow((b) => log.record(b), batch, messages));
      jsonRows.push(await cpuPerRow(recordJson, batch, messages));
    }
    const best = (xs: number[]) => Number(Math.min(...xs).toFixed(3));
    result[model] = {
      columns_us_per_row: best(columns),
      json_us_per_row: best(jsonRows),
      json_vs_columns: Number((Math.min(...jsonRows) / Math.min(...columns)).toFixed(1)),
    };
    if (!json) {
      process.stderr.write(
        `${model}: columns ${best(columns)} µs/row, json ${best(jsonRows)} µs/row (best of ${REPS}, ${ROWS} rows a message)\n`,
      );
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length > 0) await redis.del(...found);
  await redis.quit();
}
