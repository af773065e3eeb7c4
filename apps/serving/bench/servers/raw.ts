/**
 * (d) Raw in-process batched predict: encode + predict + decode of `rows`-row batches in a
 * loop, no HTTP. Prints `{"rows_per_s": N}`.
 */
import { initBackend } from '@mlops/ml/backend';
import { loadBundleModel } from '@mlops/ml/bundle';
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
for (let i = 0; i < 50; i++) predictRows(model, manifest.preprocessing, rows);
const end = performance.now() + Number(seconds) * 1000;
const start = performance.now();
let done = 0;
while (performance.now() < end) {
  predictRows(model, manifest.preprocessing, rows);
  done += rows.length;
}
process.stdout.write(
  `${JSON.stringify({ rows_per_s: Math.round(done / ((performance.now() - start) / 1000)) })}\n`,
);
