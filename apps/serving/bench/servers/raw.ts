/**
 * (d) Raw in-process batched predict: encode + predict + decode of `rows`-row batches in a
 * loop, no HTTP. Prints `{"rows_per_s": N, "compiled_rows_per_s": N}`: the first through TF.js's
 * own `model.predict` (the library call a hand-written batching loop makes), the second through
 * the compiled dense plan our server uses — both are reported, so neither hides the other.
 */
import { initBackend } from '@mlops/ml/backend';
import { createPredictor, loadBundleModel, modelPredictor, type Predictor } from '@mlops/ml/bundle';
import type { DataRow } from '@mlops/contracts';
import { predictRows } from '../../src/models/predict-rows';
import { readBenchBundle } from '../bundle-dir';

const [dir = '', seconds = '3', batch = '256'] = process.argv.slice(2);
await initBackend('auto');
const { manifest, files } = await readBenchBundle(dir);
const model = await loadBundleModel(manifest, files);
const rows: DataRow[] = Array.from({ length: Number(batch) }, (_, i) => ({
  x: i / 100,
  y: 0.5,
  color: 'red',
}));

function rowsPerSecond(predictor: Predictor): number {
  for (let i = 0; i < 50; i++) predictRows(predictor, manifest.preprocessing, rows);
  const end = performance.now() + (Number(seconds) * 1000) / 2;
  const start = performance.now();
  let done = 0;
  while (performance.now() < end) {
    predictRows(predictor, manifest.preprocessing, rows);
    done += rows.length;
  }
  return Math.round(done / ((performance.now() - start) / 1000));
}

const compiled = createPredictor(model, manifest.preprocessing.inputWidth);
if (compiled.engine !== 'dense-plan') throw new Error(`no dense plan: ${compiled.fallbackReason}`);
process.stdout.write(
  `${JSON.stringify({
    rows_per_s: rowsPerSecond(modelPredictor(model)),
    compiled_rows_per_s: rowsPerSecond(compiled),
  })}\n`,
);
