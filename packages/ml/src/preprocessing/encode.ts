import {
  AppError,
  type DataRow,
  type FeatureTransform,
  type Preprocessing,
} from '@mlops/contracts';
import { featureWidth } from './fit';
import { labelOf } from './stats';

type Writer = (row: DataRow, out: Float32Array, offset: number) => void;

/** One writer per feature, built once per call so the per-row loop does no lookups by name. */
function writerFor(t: FeatureTransform): Writer {
  switch (t.kind) {
    case 'standardize':
      return (row, out, offset) => {
        const v = row[t.column];
        const x = typeof v === 'number' && Number.isFinite(v) ? v : t.impute;
        out[offset] = (x - t.mean) / t.std;
      };
    case 'one-hot': {
      const index = new Map(t.categories.map((c, i) => [c, i]));
      return (row, out, offset) => {
        const v = row[t.column];
        const key = v === null || v === undefined ? t.impute : String(v);
        const i = index.get(key);
        // Unknown category → all zeros (the array is zero-filled already).
        if (i !== undefined) out[offset + i] = 1;
      };
    }
    case 'boolean':
      return (row, out, offset) => {
        const v = row[t.column];
        out[offset] = (typeof v === 'boolean' ? v : t.impute) ? 1 : 0;
      };
  }
}

/** Rows → the flat model input, `rows.length × prep.inputWidth`, row-major. */
export function encodeFeatures(prep: Preprocessing, rows: readonly DataRow[]): Float32Array {
  const width = prep.inputWidth;
  const writers = prep.features.map((t) => ({ write: writerFor(t), width: featureWidth(t) }));
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    let offset = r * width;
    for (const w of writers) {
      w.write(row, out, offset);
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
