/**
 * (b) The hand-written service teams start with: validate, encode and `model.predict` per
 * request, no batching, no metrics, no logging.
 */
import Fastify from 'fastify';
import type { Tensor } from '@tensorflow/tfjs';
import { decodePredictions, encodeFeatures } from '@mlops/ml/preprocessing';
import { checkRecords } from '@mlops/ml/records';
import { announce, loadBenchModel } from '../bundle-dir';

const dir = process.argv[2] ?? '';
const { tf, manifest, prep, model } = await loadBenchModel(dir);
const app = Fastify({ logger: false });
app.post<{ Body: { instances: unknown[] } }>('/v1/models/:nameAndVerb', (request, reply) => {
  const checked = checkRecords(manifest.signature, request.body.instances);
  if (!checked.ok) return reply.status(400).send({ error: checked.details });
  const n = checked.rows.length;
  const output = tf.tidy(() => {
    const y = model.predict(tf.tensor2d(encodeFeatures(prep, checked.rows), [n, prep.inputWidth]));
    return (y as Tensor).dataSync() as Float32Array;
  });
  return { predictions: decodePredictions(prep, output, n) };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
announce(typeof addr === 'object' && addr ? addr.port : 0);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
