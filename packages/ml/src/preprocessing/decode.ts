import { AppError, type Prediction, type Preprocessing } from '@mlops/contracts';

/**
 * The model's flat output back to predictions: for classification the argmax label and the
 * probability of every label; for regression the de-standardized value.
 */
export function decodePredictions(
  prep: Preprocessing,
  output: Float32Array,
  rows: number,
): Prediction[] {
  const t = prep.target;
  const width = t.kind === 'label-encode' ? t.labels.length : 1;
  if (output.length !== rows * width) {
    throw new AppError(
      'INTERNAL',
      `Model output has ${output.length} values; expected ${rows} rows × ${width}: the model does not match its preprocessing`,
    );
  }
  const predictions: Prediction[] = [];
  for (let r = 0; r < rows; r++) {
    if (t.kind === 'standardize') {
      predictions.push({ value: (output[r] ?? 0) * t.std + t.mean });
      continue;
    }
    const probabilities: Record<string, number> = {};
    let best = 0;
    for (let i = 0; i < width; i++) {
      const p = output[r * width + i] ?? 0;
      probabilities[t.labels[i] ?? String(i)] = p;
      if (p > (output[r * width + best] ?? -Infinity)) best = i;
    }
    predictions.push({ label: t.labels[best] ?? String(best), probabilities });
  }
  return predictions;
}
