import type { Column, DataRow } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { fitPreprocessing } from '@mlops/ml/preprocessing';
import { bundleManifest, type TrainedBundle } from './bundle';

/**
 * TF Serving's documented toy model, `saved_model_half_plus_three` (y = 0.5·x + 3), as a
 * one-input regression bundle, so its REST documentation's examples run as written. The data
 * is exactly linear: once x and y are standardized the model is the identity, set by hand.
 */
export async function halfPlusThree(): Promise<TrainedBundle> {
  await initBackend('auto');
  const tf = getTf();
  const x: Column = { name: 'x', type: 'numeric', nullable: false };
  const y: Column = { name: 'y', type: 'numeric', nullable: false };
  const rows: DataRow[] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((v) => ({ x: v, y: 0.5 * v + 3 }));
  const preprocessing = fitPreprocessing([x], y, 'regression', rows);
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [1], units: 1 }));
  const weights = [tf.tensor2d([[1]]), tf.tensor1d([0])];
  model.setWeights(weights);
  for (const w of weights) w.dispose();
  const files = await serializeModel(model);
  model.dispose();
  const manifest = bundleManifest({
    task: 'regression',
    signature: { inputs: [x], output: { task: 'regression', target: 'y' } },
    preprocessing,
    files,
    codeRevision: 'test',
  });
  return { manifest, files };
}
