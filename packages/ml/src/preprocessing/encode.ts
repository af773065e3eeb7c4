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
  const width = prep.inputWidth;
  const writers = writersOf(prep);
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    const start = r * width;
    if (writeInKeyOrder(row, writers, out, start)) return;
    // By name. Whatever the pass wrote before it gave up is written again with the same value.
    let offset = start;
    for (const w of writers) {
      w.write(row[w.column], out, offset);
      offset += w.width;
    }
  });
  return out;
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
