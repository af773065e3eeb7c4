/**
 * Where a `cnn-small` fit spends its kernel time: `tf.profile` of one epoch on random images,
 * kernels grouped by name and input shapes, largest first, then the steady-state samples/s.
 * The backend is set up by the platform's initBackend, as a trainer gets it.
 * Usage: tsx scripts/bench/profile-image.ts [backend=wasm] [side=32] [images=192] [batch=16]
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';
import { buildImageModel } from '@mlops/ml/presets';

const [backend = 'wasm', sideArg = '32', imagesArg = '192', batchArg = '16'] =
  process.argv.slice(2);
const [side, images, batchSize] = [sideArg, imagesArg, batchArg].map(Number) as [
  number,
  number,
  number,
];
const TOP = Number(process.env.TOP ?? 15);

await initBackend(backend as BackendName);
const model = buildImageModel({
  preset: 'cnn-small',
  imageShape: [side, side, 3],
  classes: 4,
  hyperparameters: { learningRate: 0.001, dropout: 0, l2: 0 },
  seed: 1,
});
const xs = tf.randomUniform([images, side, side, 3], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([images], 0, 4, 'int32', 2), 4);
const fit = () => model.fit(xs, ys, { batchSize, verbose: 0 });
await fit(); // warm-up: JIT and kernel setup are not what this looks for

const info = await tf.profile(async () => {
  await fit();
});
const totals = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const t = totals.get(key) ?? { ms: 0, calls: 0 };
  t.ms += Number(await k.kernelTimeMs);
  t.calls += 1;
  totals.set(key, t);
}
const all = [...totals.values()].reduce((s, t) => s + t.ms, 0);
process.stdout.write(`kernel time ${all.toFixed(0)} ms on ${backend}\n`);
for (const [key, t] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)) {
  const share = ((100 * t.ms) / all).toFixed(1).padStart(5);
  process.stdout.write(`${share} %  ${String(t.calls).padStart(4)}×  ${key}\n`);
}

const started = performance.now();
await fit();
const rate = images / ((performance.now() - started) / 1000);
process.stdout.write(
  `${JSON.stringify({ backend, side, batch: batchSize, samples_per_s: Math.round(rate) })}\n`,
);
