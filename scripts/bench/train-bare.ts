/**
 * The baseline of `npm run bench:train`: the same model trained by a bare TF.js script in one
 * process — read the CSV, standardize, split, fit, evaluate — with no queue, registry or
 * bundle. Prints one JSON line. Usage: tsx train-bare.ts <csv> <backend> <epochs> <batch> [mode]
 * mode `fit` (default) times the whole script; `speed` reports steady-state samples/s of the
 * MLP and CNN: each model first trains a few untimed batches, so V8's JIT warm-up of tfjs (a
 * one-off per process, ~40 % of a cold 2-epoch MLP fit on wasm) is not counted as throughput.
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';

const [csv = '', backend = 'wasm', epochsArg = '5', batchArg = '32', mode = 'fit'] =
  process.argv.slice(2);
const epochs = Number(epochsArg);
/** Untimed batches before a speed measurement (see the header). */
const WARMUP_BATCHES = 8;
const batchSize = Number(batchArg);

/** mlp-small (32, 16) for the overhead run; mlp-medium (64, 64) for the backend speed. */
function mlp(inputs: number, classes: number, hidden: readonly number[] = [32, 16]): tf.Sequential {
  const m = tf.sequential();
  hidden.forEach((units, i) =>
    m.add(
      tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [inputs] } : {}) }),
    ),
  );
  m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return m;
}

function cnn(inputs: number, classes: number): tf.Sequential {
  const side = Math.round(Math.sqrt(inputs));
  const m = tf.sequential();
  m.add(tf.layers.reshape({ targetShape: [side, inputs / side, 1], inputShape: [inputs] }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return m;
}

async function main(): Promise<void> {
  // The backend exactly as the platform sets it up (prod mode, wasm kernel fallbacks and fast
  // paths), so the figures are those a trainer gets; the model code below stays plain TF.js.
  await initBackend(backend as BackendName);
  const started = performance.now();
  const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\n').slice(1);
  const width = (lines[0]?.split(',').length ?? 1) - 1;
  const labels = [...new Set(lines.map((l) => l.slice(l.lastIndexOf(',') + 1)))].sort();
  const n = lines.length;
  const x = new Float32Array(n * width);
  const y = new Float32Array(n * labels.length);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    for (let c = 0; c < width; c++) x[r * width + c] = Number(cells[c]);
    y[r * labels.length + labels.indexOf(cells[width] ?? '')] = 1;
  });
  // Standardize on the training share, hold out 20 % for test and 8 % for validation: the
  // same shares the platform uses by default.
  const nTest = Math.round(n * 0.2);
  const nVal = Math.round((n - nTest) * 0.1);
  const nTrain = n - nTest - nVal;
  for (let c = 0; c < width; c++) {
    let s = 0;
    let q = 0;
    for (let r = 0; r < nTrain; r++) s += x[r * width + c] ?? 0;
    const mean = s / nTrain;
    for (let r = 0; r < nTrain; r++) q += ((x[r * width + c] ?? 0) - mean) ** 2;
    const std = Math.sqrt(q / nTrain) || 1;
    for (let r = 0; r < n; r++) x[r * width + c] = ((x[r * width + c] ?? 0) - mean) / std;
  }
  const xs = tf.tensor2d(x, [n, width]);
  const ys = tf.tensor2d(y, [n, labels.length]);
  const [xTrain, xVal, xTest] = tf.split(xs, [nTrain, nVal, nTest]);
  const [yTrain, yVal, yTest] = tf.split(ys, [nTrain, nVal, nTest]);
  if (mode === 'speed') {
    const out: Record<string, number> = {};
    const builders = [
      ['mlp', (i: number, c: number) => mlp(i, c, [64, 64])],
      ['cnn', cnn],
    ] as const;
    for (const [name, build] of builders) {
      const model = build(width, labels.length);
      const e = name === 'cnn' ? 1 : epochs;
      // Same warm-up on every backend: WARMUP_BATCHES batches, untimed.
      const warm = Math.min(nTrain, WARMUP_BATCHES * batchSize);
      await model.fit(xTrain!.slice(0, warm), yTrain!.slice(0, warm), { batchSize, verbose: 0 });
      const t0 = performance.now();
      await model.fit(xTrain!, yTrain!, { epochs: e, batchSize, shuffle: true, verbose: 0 });
      out[`${name}_samples_per_s`] = (nTrain * e) / ((performance.now() - t0) / 1000);
      model.dispose();
    }
    process.stdout.write(JSON.stringify({ backend, ...out }) + '\n');
    return;
  }
  const model = mlp(width, labels.length);
  const fitStarted = performance.now();
  await model.fit(xTrain!, yTrain!, {
    epochs,
    batchSize,
    shuffle: true,
    verbose: 0,
    validationData: [xVal!, yVal!],
  });
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  const pred = (model.predict(xTest!) as tf.Tensor).argMax(-1);
  const truth = yTest!.argMax(-1);
  const accuracy = (await pred.equal(truth).mean().data())[0] ?? 0;
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({ backend, seconds, fit_seconds: fitSeconds, accuracy, rows: n }) + '\n',
  );
}

await main();
