import type { DataRow, Prediction, Preprocessing } from '@mlops/contracts';
import type { Predictor } from '@mlops/ml/bundle';
import { decodePredictions, encodeFeatures } from '@mlops/ml/preprocessing';

/**
 * Raw checked rows → predictions: encode with the version's preprocessing, one predict call for
 * the whole batch, decode. The predictor frees every tensor it makes before it returns.
 */
export function predictRows(
  predictor: Predictor,
  prep: Preprocessing,
  rows: readonly DataRow[],
): Prediction[] {
  if (rows.length === 0) return [];
  const output = predictor.predict(encodeFeatures(prep, rows), rows.length, prep.inputWidth);
  return decodePredictions(prep, output, rows.length);
}

/** A row made of every feature's imputed value: the input of the warm-up predict. */
export function imputedRow(prep: Preprocessing): DataRow {
  const row: DataRow = {};
  for (const f of prep.features) row[f.column] = f.impute;
  return row;
}
