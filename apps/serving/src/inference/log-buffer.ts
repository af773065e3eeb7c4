import type { DataRow, Prediction, PredictionDataQuality } from '@mlops/contracts';
import type { ServedBatch } from '../payload-log';

/** Where answered rows go: the payload log (tests pass their own). */
export interface LogSink {
  record(batch: ServedBatch): void;
}

interface Pending {
  model: string;
  version: number;
  principal: string | null;
  ids: string[];
  rows: DataRow[];
  predictions: Prediction[];
  /** Parallel to rows once any added row was flagged (data-quality.ts); else null. */
  quality: Array<PredictionDataQuality | null> | null;
}

/**
 * How long answered rows wait to be logged together; nobody waits on the log, so this is free.
 * Every message has a fixed cost (an XADD built by ioredis, a socket write, Redis's work) that
 * is most of what the log costs serving: with the log switched on and off every 200 ms under
 * load (bench:serve), the 32-feature MLP's log cost was a median 5.1% of throughput at 20 ms
 * and 3.2% at 100 ms, four runs each; without the XADD, encoding alone was within ±1.5% of 0.
 */
export const LOG_FLUSH_MS = 100;
/** A version's pending rows are handed over early at this many, bounding one stream message. */
export const LOG_FLUSH_ROWS = 1_024;

/**
 * Collects answered rows and hands them to the payload log every LOG_FLUSH_MS as one batch per
 * model version and caller (the monitor accepts feedback only from the principal a prediction
 * was served to, so each message names one). Micro-batches are small when requests trickle in (a batch is what one I/O turn
 * brought), and one Redis command per micro-batch would then cost as much as the prediction;
 * per LOG_FLUSH_MS it is one command for however many rows were served.
 */
export class LogBuffer {
  /** By model, version, then caller (`''`: anonymous): found without building a key string. */
  private pending = new Map<string, Map<number, Map<string, Pending>>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly log: LogSink) {}

  add(
    model: string,
    version: number,
    ids: readonly string[],
    rows: readonly DataRow[],
    predictions: readonly Prediction[],
    principal: string | null = null,
    quality: ReadonlyArray<PredictionDataQuality | null> | null = null,
  ): void {
    let versions = this.pending.get(model);
    if (!versions) this.pending.set(model, (versions = new Map<number, Map<string, Pending>>()));
    let callers = versions.get(version);
    if (!callers) versions.set(version, (callers = new Map<string, Pending>()));
    const caller = principal ?? '';
    let p = callers.get(caller);
    if (!p) {
      p = { model, version, principal, ids: [], rows: [], predictions: [], quality: null };
      callers.set(caller, p);
    }
    if (quality && !p.quality)
      p.quality = new Array<PredictionDataQuality | null>(p.rows.length).fill(null);
    for (let i = 0; i < rows.length; i++) {
      p.quality?.push(quality?.[i] ?? null);
      p.ids.push(ids[i]!);
      p.rows.push(rows[i]!);
      p.predictions.push(predictions[i]!);
    }
    if (p.rows.length >= LOG_FLUSH_ROWS) {
      callers.delete(caller);
      if (callers.size === 0) versions.delete(version);
      if (versions.size === 0) this.pending.delete(model);
      this.log.record(p);
    }
    if (!this.timer && this.pending.size > 0) {
      this.timer = setTimeout(() => this.flush(), LOG_FLUSH_MS);
      // Shutdown flushes explicitly (app onClose); the timer alone must not keep a process up.
      this.timer.unref();
    }
  }

  /** Hand everything pending to the log now (the timer's job, and shutdown's). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const models = this.pending;
    this.pending = new Map();
    for (const versions of models.values())
      for (const callers of versions.values()) for (const b of callers.values()) this.log.record(b);
  }
}
