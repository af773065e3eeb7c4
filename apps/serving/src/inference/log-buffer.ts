import type { DataRow, Prediction } from '@mlops/contracts';
import type { ServedBatch } from '../payload-log';

/** Where a tick's answered rows go: the payload log (tests pass their own). */
export interface LogSink {
  record(batch: ServedBatch): void;
}

interface Pending {
  model: string;
  version: number;
  ids: string[];
  rows: DataRow[];
  predictions: Prediction[];
}

/**
 * Collects the requests answered in one tick and hands them to the payload log as one batch
 * per model version: a micro-batch of 64 one-row requests becomes one stream message, not 64.
 */
export class LogBuffer {
  private pending = new Map<string, Pending>();
  private scheduled = false;

  constructor(private readonly log: LogSink) {}

  add(
    model: string,
    version: number,
    ids: readonly string[],
    rows: readonly DataRow[],
    predictions: readonly Prediction[],
  ): void {
    const key = `${model}@${version}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { model, version, ids: [], rows: [], predictions: [] }));
    for (let i = 0; i < rows.length; i++) {
      p.ids.push(ids[i]!);
      p.rows.push(rows[i]!);
      p.predictions.push(predictions[i]!);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const b of batches.values()) this.log.record(b);
  }
}
