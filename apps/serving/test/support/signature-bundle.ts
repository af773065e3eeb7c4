import type { Column, DataRow } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { profileRows } from '@mlops/ml/profile';
import { encodeFeatures, encodeTargets, fitPreprocessing } from '@mlops/ml/preprocessing';
import { bundleManifest, type TrainedBundle } from './bundle';

/**
 * A real bundle for any scalar signature: rows drawn for its features (an LCG, so runs agree),
 * a fitted preprocessing, a small dense classifier trained a few epochs, the training profile.
 * For tests about what a signature accepts, not about what the model learns.
 */
export async function signatureBundle(
  features: Column[],
  labels: string[] = ['neg', 'pos'],
  n = 120,
): Promise<TrainedBundle> {
  let s = 11;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const rows: DataRow[] = [];
  for (let i = 0; i < n; i++) {
    const row: DataRow = {};
    for (const c of features) {
      if (c.type === 'numeric') row[c.name] = rand() * 4 - 2;
      else if (c.type === 'boolean') row[c.name] = rand() < 0.5;
      else {
        const categories = c.categories ?? ['a', 'b'];
        row[c.name] = categories[Math.floor(rand() * categories.length)]!;
      }
    }
    row.cls = labels[i % labels.length]!;
    rows.push(row);
  }
  const target: Column = { name: 'cls', type: 'categorical', nullable: false, categories: labels };
  const prep = fitPreprocessing(features, target, 'classification', rows);
  await initBackend('auto');
  const tf = getTf();
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [prep.inputWidth], units: 4, activation: 'relu' }));
  model.add(tf.layers.dense({ units: labels.length, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(encodeFeatures(prep, rows), [rows.length, prep.inputWidth]);
  const ys = tf.tensor2d(encodeTargets(prep, rows), [rows.length, labels.length]);
  await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
  xs.dispose();
  ys.dispose();
  const files = await serializeModel(model);
  model.dispose();
  files.push({
    path: 'profile.json',
    bytes: new TextEncoder().encode(JSON.stringify(profileRows(features, rows))),
  });
  const manifest = bundleManifest({
    task: 'classification',
    signature: { inputs: features, output: { task: 'classification', target: 'cls', labels } },
    preprocessing: prep,
    files,
    codeRevision: 'test',
  });
  return { manifest, files };
}
