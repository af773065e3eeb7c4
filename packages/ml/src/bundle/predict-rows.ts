import type { DataRow, Prediction, Preprocessing } from '@mlops/contracts';
import { decodePredictions, encodeFeatures } from '../preprocessing';
import type { Predictor } from './predictor';

/**
 * Raw checked rows → predictions: encode with the version's preprocessing, one predict call for
 * the whole batch, decode. The predictor frees every tensor it makes before it returns. Serving
 * and `@mlops/client`'s loadModel both predict through this, so they give the same answers.
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
