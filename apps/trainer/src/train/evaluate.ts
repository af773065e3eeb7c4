import type * as tfTypes from '@tensorflow/tfjs';
import type { DataRow, Metrics, Preprocessing } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import { classificationMetrics, regressionMetrics } from '@mlops/ml/metrics';
import { encodeFeatures, encodeLabelIndices } from '@mlops/ml/preprocessing';

/** Raw model output for rows, as a flat array (tensors disposed before returning). */
export async function predictRaw(
  model: tfTypes.LayersModel,
  prep: Preprocessing,
  rows: readonly DataRow[],
  batchSize = 1024,
): Promise<Float32Array> {
  const tf = getTf();
  const x = tf.tensor2d(encodeFeatures(prep, rows), [rows.length, prep.inputWidth]);
  try {
    const y = model.predict(x, { batchSize }) as tfTypes.Tensor;
    try {
      return (await y.data()) as Float32Array;
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
  }
}

/**
 * Metrics on held-out rows, with the platform's keys: accuracy, macro_f1, log_loss for
 * classification; rmse, mae, r2 (in the target's own units) for regression.
 */
export async function evaluateModel(
  model: tfTypes.LayersModel,
  prep: Preprocessing,
  rows: readonly DataRow[],
): Promise<Metrics> {
  const output = await predictRaw(model, prep, rows);
  const t = prep.target;
  if (t.kind === 'label-encode') {
    return classificationMetrics(encodeLabelIndices(prep, rows), output, t.labels.length);
  }
  const truth = rows.map((r) => Number(r[t.column]));
  const predicted = Array.from(output, (v) => v * t.std + t.mean);
  return regressionMetrics(truth, predicted);
}
