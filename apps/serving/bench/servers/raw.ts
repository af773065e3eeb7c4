/**
 * (d) Raw in-process batched predict: encode + predict + decode of `rows`-row batches in a
 * loop, no HTTP. Prints one JSON line with three figures, so none hides another:
 *   rows_per_s              TF.js `model.predict(x)` as a hand-written batching loop calls it
 *                           (the (d), and the figure earlier runs of this benchmark report)
 *   whole_batch_rows_per_s  `model.predict(x, {batchSize: rows})`: one call instead of slices of 32
 *   compiled_rows_per_s     the compiled plan our server runs (packages/ml dense-plan.ts, in plain
 *                           JavaScript for small models: js-plan.ts)
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { DataRow } from '@mlops/contracts';
import {
  createPredictor,
  modelPredictor,
  type BundleModel,
  type Predictor,
} from '@mlops/ml/bundle';
import { predictRows } from '../../src/models/predict-rows';
import { benchRows, loadBenchModel } from '../bundle-dir';

const [dir = '', seconds = '3', batch = '256'] = process.argv.slice(2);
const { tf, manifest, model } = await loadBenchModel(dir);
const rows: DataRow[] = benchRows(manifest.signature.inputs, Number(batch));

/** `model.predict` with TF.js's defaults, as most code calls it. */
function defaultPredictor(m: BundleModel): Predictor {
  return {
    engine: 'model',
    fallbackReason: null,
    predict: (input, n, width) =>
      tf.tidy(
        () => (m.predict(tf.tensor2d(input, [n, width])) as Tensor).dataSync() as Float32Array,
      ),
    dispose: () => undefined,
  };
}

function rowsPerSecond(predictor: Predictor): number {
  for (let i = 0; i < 50; i++) predictRows(predictor, manifest.preprocessing, rows);
  const end = performance.now() + (Number(seconds) * 1000) / 3;
  const start = performance.now();
  let done = 0;
  while (performance.now() < end) {
    predictRows(predictor, manifest.preprocessing, rows);
    done += rows.length;
  }
  return Math.round(done / ((performance.now() - start) / 1000));
}

const compiled = createPredictor(model, manifest.preprocessing.inputWidth);
if (compiled.engine === 'model') throw new Error(`no compiled plan: ${compiled.fallbackReason}`);
process.stdout.write(
  `${JSON.stringify({
    rows_per_s: rowsPerSecond(defaultPredictor(model)),
    whole_batch_rows_per_s: rowsPerSecond(modelPredictor(model)),
    compiled_rows_per_s: rowsPerSecond(compiled),
  })}\n`,
);
