import type { Redis } from 'ioredis';
import {
  PREDICTION_LOG_FIELD,
  PREDICTION_LOG_REDACTED,
  encodePredictionLogColumns,
  type DataRow,
  type LogFeatureColumns,
  type Prediction,
  type PredictionDataQuality,
  type RedisKeys,
} from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { ServingMetrics } from './metrics';

/** Streams are trimmed approximately (cheap) to about this many rows per model. */
export const PREDICTION_STREAM_ROWS = 100_000;

/**
 * MAXLEN counts messages and a message holds a batch of rows, so each XADD trims to the number
 * of messages of its own size that make up the row budget: a steady load keeps about
 * PREDICTION_STREAM_ROWS rows whatever its batch size. Never fewer than 100 messages, one
 * stream node's worth (`stream-node-max-entries`), which approximate trimming removes whole.
 * (The floor was 1,000: with 1,024-row messages, ten times the row budget.)
 */
export function streamMaxLen(rowsInMessage: number): number {
  return Math.max(100, Math.ceil(PREDICTION_STREAM_ROWS / Math.max(1, rowsInMessage)));
}

export interface PayloadLogOptions {
  redis: Redis;
  keys: RedisKeys;
  sampleRate: number;
  metrics: ServingMetrics;
  logger: Logger;
  random?: () => number;
  /**
   * Feature names whose values are replaced by `[REDACTED]` before logging. Default: the
   * comma-separated `SERVING_LOG_REDACT` (read here so serving's env schema needs no change).
   */
  redact?: readonly string[];
  /**
   * Per-model sample rates overriding `sampleRate`. Default: `SERVING_LOG_SAMPLE_RATES`, e.g.
   * `iris=0.1,churn=1`.
   */
  modelSampleRates?: Readonly<Record<string, number>>;
}

export const REDACTED = PREDICTION_LOG_REDACTED;

/** `a, b,,c` → ['a', 'b', 'c']. */
export function parseRedactList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * `iris=0.1,churn=1` → { iris: 0.1, churn: 1 }. A malformed pair throws at start-up, naming
 * the variable, rather than silently logging everything (or nothing).
 */
export function parseSampleRates(value: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of parseRedactList(value)) {
    const [model, rate, extra] = pair.split('=');
    const n = Number(rate);
    if (!model || rate === undefined || extra !== undefined || !(n >= 0 && n <= 1)) {
      throw new Error(
        `SERVING_LOG_SAMPLE_RATES: "${pair}" must be model=rate with a rate between 0 and 1`,
      );
    }
    out[model.trim()] = n;
  }
  return out;
}

export interface ServedBatch {
  model: string;
  version: number;
  /** Who asked (the token's principal); null when anonymous (public reads never predict). */
  principal?: string | null;
  ids: readonly string[];
  rows: readonly DataRow[];
  /**
   * The same rows by column, when every request of the batch came as columns: what the log
   * encodes then, and `rows` may be built only when read (log-buffer.ts).
   */
  columns?: LogFeatureColumns | null;
  predictions: readonly Prediction[];
  /** Per row, the inputs serving flagged (unknown category, outside the training range). */
  quality?: ReadonlyArray<PredictionDataQuality | null> | null;
}

/**
 * The prediction log the monitor reads. Writing it must never fail or slow a prediction: the
 * caller does not await it, a batch (LogBuffer: 100 ms of answers) is one XADD, nothing is queued
 * while Redis is down, and every row that could not be written is counted instead of retried.
 *
 * A batch is written as one binary `columns` message (contracts: prediction-log-columns.ts):
 * numbers are copied, not formatted as JSON, which took 8–10× longer per row and made the log
 * cost ≈ 9% of serving throughput.
 *
 * It runs on the request thread on purpose. An earlier design handed rows to a worker thread,
 * but structured-cloning every row object across threads cost more main-thread CPU than encoding
 * the batch here.
 */
export class PayloadLog {
  private readonly random: () => number;
  private lastWarn = 0;
  private readonly redact: ReadonlySet<string>;
  private readonly rates: Readonly<Record<string, number>>;

  constructor(private readonly opts: PayloadLogOptions) {
    this.random = opts.random ?? Math.random;
    this.redact = new Set(opts.redact ?? parseRedactList(process.env.SERVING_LOG_REDACT));
    this.rates = opts.modelSampleRates ?? parseSampleRates(process.env.SERVING_LOG_SAMPLE_RATES);
  }

  /** Fire and forget: one stream message for the batch (its sampled rows), one command. */
  record(batch: ServedBatch): void {
    const { redis, keys, metrics } = this.opts;
    const sampleRate = this.rates[batch.model] ?? this.opts.sampleRate;
    if (sampleRate <= 0 || batch.ids.length === 0) return;
    const sampled = sampleRate < 1 ? this.sample(batch, sampleRate) : batch;
    const rows = sampled.ids.length;
    if (rows === 0) return;

    const dropped = (err: unknown) => {
      metrics.payloadLogDropped.inc({ model: batch.model }, rows);
      this.warn(err);
    };
    // With Redis down, ioredis would buffer commands in memory until it reconnects.
    if (redis.status !== 'ready') {
      dropped(new Error(`redis connection is ${redis.status}`));
      return;
    }
    let message: Uint8Array;
    try {
      message = encodePredictionLogColumns({
        model: batch.model,
        version: batch.version,
        at: new Date().toISOString(),
        principal: batch.principal ?? null,
        ids: sampled.ids,
        ...(sampled.columns ? { columns: sampled.columns } : { rows: sampled.rows }),
        predictions: sampled.predictions,
        redact: this.redact,
        quality: sampled.quality ?? null,
      });
    } catch (err) {
      dropped(err);
      return;
    }
    redis
      .xadd(
        keys.predictions(batch.model),
        'MAXLEN',
        '~',
        streamMaxLen(rows),
        '*',
        PREDICTION_LOG_FIELD.columns,
        Buffer.from(message.buffer, message.byteOffset, message.byteLength),
      )
      .catch(dropped);
  }

  /** The rows kept at `rate` (0 < rate < 1), each drawn independently. */
  private sample(batch: ServedBatch, rate: number): ServedBatch {
    const kept = {
      ...batch,
      columns: null,
      ids: [] as string[],
      rows: [] as DataRow[],
      predictions: [] as Prediction[],
      quality: batch.quality ? ([] as Array<PredictionDataQuality | null>) : null,
    };
    for (let i = 0; i < batch.rows.length; i++) {
      if (this.random() >= rate) continue;
      kept.quality?.push(batch.quality?.[i] ?? null);
      kept.ids.push(batch.ids[i]!);
      kept.rows.push(batch.rows[i]!);
      kept.predictions.push(batch.predictions[i]!);
    }
    return kept;
  }

  /** At most one warning per 10 s: a Redis outage must not flood the log. */
  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarn < 10_000) return;
    this.lastWarn = now;
    this.opts.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'payload log entries dropped',
    );
  }
}
