/**
 * (e) The bare batching loop of shared/NOTES.md's serving anchors: the requests parsed in one
 * I/O turn are predicted together after it (setImmediate), with no validation, no metrics and
 * no payload log — the least a batching server does. The floors were set when this loop
 * ran at about 5× naive and 55% of hello; it is measured beside them so that every run says
 * what this machine allows today.
 */
import Fastify from 'fastify';
import type { Tensor } from '@tensorflow/tfjs';
import type { DataRow, Prediction } from '@mlops/contracts';
import { decodePredictions, encodeFeatures } from '@mlops/ml/preprocessing';
import { announce, loadBenchModel } from '../bundle-dir';

const dir = process.argv[2] ?? '';
const { tf, prep, model } = await loadBenchModel(dir);

interface Waiting {
  rows: DataRow[];
  resolve: (predictions: Prediction[]) => void;
}
let waiting: Waiting[] = [];

function runBatch(): void {
  const batch = waiting;
  waiting = [];
  const rows = batch.flatMap((w) => w.rows);
  const n = rows.length;
  const output = tf.tidy(() => {
    const y = model.predict(tf.tensor2d(encodeFeatures(prep, rows), [n, prep.inputWidth]));
    return (y as Tensor).dataSync() as Float32Array;
  });
  const predictions = decodePredictions(prep, output, n);
  let at = 0;
  for (const w of batch) {
    w.resolve(predictions.slice(at, at + w.rows.length));
    at += w.rows.length;
  }
}

const app = Fastify({ logger: false });
app.post<{ Body: { instances: DataRow[] } }>('/v1/models/:nameAndVerb', async (request) => {
  const predictions = await new Promise<Prediction[]>((resolve) => {
    if (waiting.length === 0) setImmediate(runBatch);
    waiting.push({ rows: request.body.instances, resolve });
  });
  return { predictions };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
announce(typeof addr === 'object' && addr ? addr.port : 0);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
