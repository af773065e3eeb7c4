import type { Tensor } from '@tensorflow/tfjs';
import type { DataRow, Prediction, Preprocessing } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import type { BundleModel } from '@mlops/ml/bundle';
import { decodePredictions, encodeFeatures } from '@mlops/ml/preprocessing';

/**
 * Raw checked rows → predictions. Everything tensor-shaped lives inside `tidy`, and the output
 * is read back synchronously inside it, so no tensor outlives the call whatever the backend.
 */
export function predictRows(
  model: BundleModel,
  prep: Preprocessing,
  rows: readonly DataRow[],
): Prediction[] {
  if (rows.length === 0) return [];
  const tf = getTf();
  const input = encodeFeatures(prep, rows);
  const output = tf.tidy(() => {
    const x = tf.tensor2d(input, [rows.length, prep.inputWidth]);
    const y = model.predict(x);
    // Bundled models have one output; a multi-output model is a bundle error, caught below.
    const first: Tensor | undefined = Array.isArray(y) ? y[0] : y;
    if (!first || Array.isArray(y)) throw new Error('model has more than one output tensor');
    return first.dataSync() as Float32Array;
  });
  return decodePredictions(prep, Float32Array.from(output), rows.length);
}

/** A row made of every feature's imputed value: the input of the warm-up predict. */
export function imputedRow(prep: Preprocessing): DataRow {
  const row: DataRow = {};
  for (const f of prep.features) row[f.column] = f.impute;
  return row;
}
