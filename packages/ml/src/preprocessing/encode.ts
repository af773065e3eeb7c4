import {
  AppError,
  type DataRow,
  type FeatureTransform,
  type Preprocessing,
} from '@mlops/contracts';
import { writeDateTime } from './datetime';
import { featureWidth } from './fit';
import { labelOf } from './stats';

type Writer = (value: DataRow[string] | undefined, out: Float32Array, offset: number) => void;

/** One writer per feature: the per-row loop does no lookups by name. */
function writerFor(t: FeatureTransform): Writer {
  switch (t.kind) {
    case 'standardize':
      return (v, out, offset) => {
        const x = typeof v === 'number' && Number.isFinite(v) ? v : t.impute;
        out[offset] = (x - t.mean) / t.std;
      };
    case 'one-hot': {
      const index = new Map(t.categories.map((c, i) => [c, i]));
      return (v, out, offset) => {
        const key = v === null || v === undefined ? t.impute : String(v);
        const i = index.get(key);
        // Unknown category → all zeros (the array is zero-filled already).
        if (i !== undefined) out[offset + i] = 1;
      };
    }
    case 'boolean':
      return (v, out, offset) => {
        out[offset] = (typeof v === 'boolean' ? v : t.impute) ? 1 : 0;
      };
    case 'datetime':
      return (v, out, offset) => writeDateTime(t, v, out, offset);
  }
}

interface FeatureWriter {
  column: string;
  write: Writer;
  width: number;
}

/**
 * Writes one row's features in a single for…in pass when its keys list the features in their
 * order (extra keys, such as a training row's target, are skipped): reading cells as they are
 * enumerated costs a fraction of looking each feature up by name, which for wide rows was most
 * of encoding. False when a feature was not met in order; the caller then goes by name.
 */
function writeInKeyOrder(
  row: DataRow,
  writers: readonly FeatureWriter[],
  out: Float32Array,
  offset: number,
): boolean {
  let j = 0;
  for (const key in row) {
    const w = writers[j];
    if (w === undefined) break;
    if (key !== w.column) continue;
    w.write(row[key], out, offset);
    offset += w.width;
    j++;
  }
  return j === writers.length;
}

/**
 * A preprocessing's writers, built on its first encode and kept while the preprocessing lives:
 * a fitted preprocessing is never changed, and serving encodes every batch with the same one
 * (building them per call was a closure and an object per feature per batch).
 */
const writersByPreprocessing = new WeakMap<Preprocessing, readonly FeatureWriter[]>();

function writersOf(prep: Preprocessing): readonly FeatureWriter[] {
  let writers = writersByPreprocessing.get(prep);
  if (!writers) {
    writers = prep.features.map((t) => ({
      column: t.column,
      write: writerFor(t),
      width: featureWidth(t),
    }));
    writersByPreprocessing.set(prep, writers);
  }
  return writers;
}

/** Rows → the flat model input, `rows.length × prep.inputWidth`, row-major. */
export function encodeFeatures(prep: Preprocessing, rows: readonly DataRow[]): Float32Array {
  const out = new Float32Array(rows.length * prep.inputWidth);
  encodeFeaturesInto(prep, rows, out, 0);
  return out;
}

/**
 * Rows → the flat model input written into `out` from row `at` on (`out` zero-filled there): how
 * serving encodes each request of a batch straight into the batch's one input.
 */
export function encodeFeaturesInto(
  prep: Preprocessing,
  rows: readonly DataRow[],
  out: Float32Array,
  at: number,
): void {
  const width = prep.inputWidth;
  const writers = writersOf(prep);
  rows.forEach((row, r) => {
    const start = (at + r) * width;
    if (writeInKeyOrder(row, writers, out, start)) return;
    // By name. Whatever the pass wrote before it gave up is written again with the same value.
    let offset = start;
    for (const w of writers) {
      w.write(row[w.column], out, offset);
      offset += w.width;
    }
  });
}

/**
 * A request's features by column (`columns(name)`: that feature's `rows` cells, or undefined
 * when it was left out, as null) → the flat model input written into `out` from row `at` on,
 * feature after feature: the same values encodeFeaturesInto writes for the same rows, without a
 * record per row. Columns of numbers are standardized in one tight loop.
 */
export function encodeColumnsInto(
  prep: Preprocessing,
  columns: (name: string) => ArrayLike<unknown> | undefined,
  rows: number,
  out: Float32Array,
  at: number,
): void {
  const width = prep.inputWidth;
  const writers = writersOf(prep);
  let offset = 0;
  prep.features.forEach((t, j) => {
    const w = writers[j]!;
    const cells = columns(w.column);
    let o = at * width + offset;
    if (t.kind === 'standardize' && cells) {
      const { mean, std, impute } = t;
      for (let r = 0; r < rows; r++, o += width) {
        const v = cells[r];
        out[o] = ((typeof v === 'number' && Number.isFinite(v) ? v : impute) - mean) / std;
      }
    } else {
      for (let r = 0; r < rows; r++, o += width)
        w.write((cells ? cells[r] : null) as DataRow[string] | undefined, out, o);
    }
    offset += w.width;
  });
}

/** Index of each row's label in `labels` (classification only); throws on a missing/unknown label. */
export function encodeLabelIndices(prep: Preprocessing, rows: readonly DataRow[]): Int32Array {
  const t = prep.target;
  if (t.kind !== 'label-encode') {
    throw new AppError('INTERNAL', 'encodeLabelIndices needs a classification preprocessing');
  }
  const index = new Map(t.labels.map((l, i) => [l, i]));
  const out = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const label = labelOf(row[t.column]);
    const i = label === null ? undefined : index.get(label);
    if (i === undefined) {
      throw new AppError(
        'BAD_DATASET',
        `Row ${r}: target "${t.column}" is ${label === null ? 'missing' : `"${label}", a class not seen in training`}`,
      );
    }
    out[r] = i;
  });
  return out;
}

/**
 * Targets as the model is trained on them: one-hot rows (`rows × labels`) for classification,
 * standardized values (`rows × 1`) for regression.
 */
export function encodeTargets(prep: Preprocessing, rows: readonly DataRow[]): Float32Array {
  const t = prep.target;
  if (t.kind === 'label-encode') {
    const k = t.labels.length;
    const indices = encodeLabelIndices(prep, rows);
    const out = new Float32Array(rows.length * k);
    indices.forEach((i, r) => {
      out[r * k + i] = 1;
    });
    return out;
  }
  const out = new Float32Array(rows.length);
  rows.forEach((row, r) => {
    const v = row[t.column];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AppError('BAD_DATASET', `Row ${r}: target "${t.column}" must be a number`);
    }
    out[r] = (v - t.mean) / t.std;
  });
  return out;
}
