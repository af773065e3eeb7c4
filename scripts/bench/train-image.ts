/**
 * Image CNN speed for `npm run bench:train`: steady-state samples/s of the platform's `cnn-small`
 * preset on random 32×32×3 images, on one backend set up by the platform's initBackend (so wasm
 * runs with the kernels real trainings get). Prints one JSON line.
 * Usage: tsx train-image.ts <backend> [seconds] [batch]
 * Fits a fixed set of IMAGES images for one epoch, again and again, until `seconds` have passed:
 * a fixed duration instead of a fixed amount of work, because the backends differ by two orders
 * of magnitude here. One untimed fit first (JIT and kernel warm-up).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';
import { buildImageModel } from '@mlops/ml/presets';

const [backend = 'wasm', secondsArg = '4', batchArg = '32'] = process.argv.slice(2);
const SHAPE = [32, 32, 3] as const;
const CLASSES = 10;
const batchSize = Number(batchArg);
/** Two batches per fit: enough to be a real epoch, little enough for cpu to finish one quickly. */
const IMAGES = 2 * batchSize;

await initBackend(backend as BackendName);
const model = buildImageModel({
  preset: 'cnn-small',
  imageShape: SHAPE,
  classes: CLASSES,
  hyperparameters: { learningRate: 0.001, dropout: 0, l2: 0 },
  seed: 1,
});
const xs = tf.randomUniform([IMAGES, ...SHAPE], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([IMAGES], 0, CLASSES, 'int32', 2), CLASSES);
const fit = () => model.fit(xs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
await fit();
const budget = Number(secondsArg) * 1000;
let samples = 0;
const started = performance.now();
do {
  await fit();
  samples += IMAGES;
} while (performance.now() - started < budget);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({ backend, batch: batchSize, image: SHAPE, samples_per_s: samples / seconds }) +
    '\n',
);
