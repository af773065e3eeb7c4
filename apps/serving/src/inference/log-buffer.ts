import type { CellValue, DataRow, Prediction, PredictionDataQuality } from '@mlops/contracts';
import type { FeatureColumns } from '../models/row-block';
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
  /** Each request's rows, as it was answered: records, or columns (no record per row). */
  parts: Array<readonly DataRow[] | FeatureColumns>;
  predictions: Prediction[];
  /** Parallel to the rows once any added row was flagged (data-quality.ts); else null. */
  quality: Array<PredictionDataQuality | null> | null;
}

/** A column's cells: numbers as one Float64Array (what the log encodes), else as they are. */
function joinColumn(parts: readonly FeatureColumns[], name: string, n: number): ArrayLike<unknown> {
  const numbers = new Float64Array(n);
  let at = 0;
  for (const part of parts) {
    const cells = part.cells.get(name)!;
    for (let i = 0; i < part.rows; i++, at++) {
      const v = cells[i];
      if (typeof v !== 'number') return parts.flatMap((p) => Array.from(p.cells.get(name)!));
      numbers[at] = v;
    }
  }
  return numbers;
}

/** Records of columns, made only when a sink reads `rows` of a batch that came as columns. */
function recordsOf(part: FeatureColumns): DataRow[] {
  const names = [...part.cells.keys()];
  const columns = [...part.cells.values()];
  const rows: DataRow[] = [];
  for (let i = 0; i < part.rows; i++) {
    const row: DataRow = {};
    names.forEach((name, j) => (row[name] = columns[j]![i] as DataRow[string]));
    rows.push(row);
  }
  return rows;
}

const isColumns = (part: readonly DataRow[] | FeatureColumns): part is FeatureColumns =>
  !Array.isArray(part);

/**
 * What the sink is handed: when every request came as columns with the same features, the
 * batch's columns (what the payload log encodes), and its `rows` built only if a sink reads them.
 */
function served(p: Pending): ServedBatch {
  const { model, version, principal, ids, predictions, quality, parts } = p;
  const columnar = parts.every(isColumns) ? parts : null;
  const names = columnar ? [...columnar[0]!.cells.keys()] : [];
  const sameNames =
    columnar?.every((c) => c.cells.size === names.length && names.every((n) => c.cells.has(n))) ??
    false;
  let rows: readonly DataRow[] | undefined;
  return {
    model,
    version,
    principal,
    ids,
    predictions,
    quality,
    columns:
      columnar && sameNames
        ? {
            names,
            cells: names.map(
              (name) => joinColumn(columnar, name, ids.length) as ArrayLike<CellValue>,
            ),
          }
        : null,
    get rows() {
      return (rows ??= parts.flatMap((part) => (isColumns(part) ? recordsOf(part) : part)));
    },
  };
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
    rows: readonly DataRow[] | FeatureColumns,
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
      p = { model, version, principal, ids: [], parts: [], predictions: [], quality: null };
      callers.set(caller, p);
    }
    if (quality && !p.quality)
      p.quality = new Array<PredictionDataQuality | null>(p.ids.length).fill(null);
    const n = ids.length;
    for (let i = 0; i < n; i++) {
      p.quality?.push(quality?.[i] ?? null);
      p.ids.push(ids[i]!);
      p.predictions.push(predictions[i]!);
    }
    p.parts.push(rows);
    if (p.ids.length >= LOG_FLUSH_ROWS) {
      callers.delete(caller);
      if (callers.size === 0) versions.delete(version);
      if (versions.size === 0) this.pending.delete(model);
      this.log.record(served(p));
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
      for (const callers of versions.values())
        for (const b of callers.values()) this.log.record(served(b));
  }
}
