import {
  AppError,
  isCellRow,
  type DataRow,
  type DatasetSchema,
  type Metrics,
  type Preprocessing,
} from '@mlops/contracts';
import type { Predictor } from '@mlops/ml/bundle';
import { classificationMetrics, regressionMetrics } from '@mlops/ml/metrics';
import { encodeFeatures, encodeLabelIndices } from '@mlops/ml/preprocessing';

/** Rows predicted at once: small enough that the event loop (lock renewal) is never held long. */
const BATCH_ROWS = 2_048;

/** The registry's canonical JSON Lines (cell arrays in schema order) as records, line by line. */
export async function* recordsOf(
  schema: DatasetSchema,
  blocks: AsyncIterable<Uint8Array>,
): AsyncIterable<DataRow> {
  const decoder = new TextDecoder();
  let pending = '';
  const toRow = (line: string, n: number): DataRow => {
    const cells: unknown = JSON.parse(line);
    if (!isCellRow(cells)) throw new AppError('BAD_DATASET', `row ${n} is not an array of cells`);
    const row: DataRow = {};
    schema.columns.forEach((c, i) => (row[c.name] = cells[i] ?? null));
    return row;
  };
  let n = 0;
  for await (const block of blocks) {
    pending += decoder.decode(block, { stream: true });
    let at: number;
    while ((at = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, at).trim();
      pending = pending.slice(at + 1);
      if (line) yield toRow(line, n++);
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield toRow(pending.trim(), n);
}

/**
 * The platform's metrics of a model on rows (same keys as a training run's held-out evaluation:
 * accuracy, macro_f1, log_loss; rmse, mae, r2 in the target's units). Rows without a target are
 * skipped; a class the model does not know fails the evaluation (BAD_DATASET), it is not dropped.
 */
export async function measure(
  predictor: Predictor,
  prep: Preprocessing,
  rows: AsyncIterable<DataRow>,
): Promise<{ metrics: Metrics; rows: number }> {
  const t = prep.target;
  const truth: number[] = [];
  const outputs: Float32Array[] = [];
  let batch: DataRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const x = encodeFeatures(prep, batch);
    outputs.push(predictor.predict(x, batch.length, prep.inputWidth));
    if (t.kind === 'label-encode') truth.push(...encodeLabelIndices(prep, batch));
    else truth.push(...batch.map((r) => Number(r[t.column])));
    batch = [];
    // Let BullMQ renew the job's lock and the registry calls progress between batches.
    await new Promise((resolve) => setImmediate(resolve));
  };
  for await (const row of rows) {
    const y = row[t.column];
    if (y === null || y === undefined || y === '') continue;
    batch.push(row);
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
  if (truth.length === 0)
    throw new AppError('BAD_DATASET', `no row has a value for the target "${t.column}"`);
  const output = concat(outputs);
  for (const v of output)
    if (!Number.isFinite(v))
      throw new AppError('BAD_DATASET', 'the model answered a non-finite output on this dataset');
  const metrics =
    t.kind === 'label-encode'
      ? classificationMetrics(truth, output, t.labels.length)
      : regressionMetrics(
          truth,
          Array.from(output, (v) => v * t.std + t.mean),
        );
  return { metrics, rows: truth.length };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
