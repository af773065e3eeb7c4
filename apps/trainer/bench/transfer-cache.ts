/**
 * `npm run bench:transfer -- [backend] [images] [epochs]`: samples/s of a transfer run's first
 * phase (frozen base, new head) with the base's features cached once vs the whole model run
 * every epoch. The base is a small conv trunk on 64×64×3 images (conv 16/32/64, global pool,
 * a 64-unit embedding), registered nowhere: `fitTransfer` gets its bundle files directly. Each
 * mode first trains one untimed epoch of 32 images, so tfjs's one-off JIT warm-up is not measured.
 * samplesPerSecond counts the whole phase (load, cut, feature extraction, fit); the cached mode
 * pays its extraction once, so its advantage grows with the epochs.
 * Prints one JSON line.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { trainingTransferSchema, type BackendName } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { fitTransfer } from '../src/train/transfer';
import type { TransferBaseBundle } from '../src/train/transfer-base';

const [backendArg = 'cpu', imagesArg = '512', epochsArg = '3'] = process.argv.slice(2);
const rows = Number(imagesArg);
const epochs = Number(epochsArg);
const SIDE = 64;
const CLASSES = 4;

function buildBase(tf: ReturnType<typeof getTf>): tfTypes.LayersModel {
  const image = tf.input({ shape: [SIDE, SIDE, 3] });
  let x: tfTypes.SymbolicTensor = image;
  for (const filters of [16, 32, 64]) {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' })
      .apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfTypes.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.dense({ units: 64, activation: 'relu' }).apply(x) as tfTypes.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x);
  return tf.model({ inputs: image, outputs: out as tfTypes.SymbolicTensor });
}

async function main(): Promise<void> {
  const backend = await initBackend(backendArg as BackendName | 'auto');
  const tf = getTf();
  const base = buildBase(tf);
  const files = (await serializeModel(base)).map((f) => ({
    ...f,
    sha256: sha256Hex(f.bytes),
    size: f.bytes.byteLength,
  }));
  base.dispose();
  const bundle: TransferBaseBundle = {
    ref: { model: 'bench-base', version: 1, sha256: '0'.repeat(64) },
    files,
    decoding: { height: SIDE, width: SIDE, channels: 3, resize: 'bilinear', scale: 1 / 255 },
  };
  const size = SIDE * SIDE * 3;
  const x = Float32Array.from({ length: rows * size }, () => Math.random());
  const y = new Float32Array(rows * CLASSES);
  for (let r = 0; r < rows; r++) y[r * CLASSES + (r % CLASSES)] = 1;
  const hp = {
    epochs,
    batchSize: 32,
    learningRate: 0.01,
    dropout: 0,
    l2: 0,
    earlyStoppingPatience: 0,
    testFraction: 0.2,
    validationFraction: 0,
  };
  const measure = async (cacheFeatures: boolean) => {
    let last = { samplesPerSecond: 0, extractSeconds: 0, fitSamplesPerSecond: 0 };
    // Round 0 warms up on 32 images for one epoch; round 1 is measured.
    for (const [n, e] of [
      [Math.min(32, rows), 1],
      [rows, epochs],
    ] as const) {
      const started = performance.now();
      const { model, fit, cached } = await fitTransfer({
        base: bundle,
        transfer: trainingTransferSchema.parse({
          base: { model: 'bench-base', version: 1 },
          cacheFeatures,
        }),
        hp: { ...hp, epochs: e },
        seed: 1,
        classes: CLASSES,
        shape: [SIDE, SIDE, 3],
        train: { x: x.subarray(0, n * size), y: y.subarray(0, n * CLASSES), rows: n },
        validation: null,
      });
      const seconds = (performance.now() - started) / 1000;
      model.dispose();
      last = {
        // Everything the phase costs: loading and cutting the base, extracting, fitting.
        samplesPerSecond: Math.round((n * fit.epochsRun) / seconds),
        extractSeconds: Math.round(cached.seconds * 100) / 100,
        fitSamplesPerSecond: Math.round(fit.samplesPerSecond ?? 0),
      };
    }
    return last;
  };
  const uncached = await measure(false);
  const cached = await measure(true);
  process.stdout.write(
    `${JSON.stringify({
      backend,
      images: rows,
      epochs,
      imageShape: [SIDE, SIDE, 3],
      uncached,
      cached,
      speedup: Math.round((cached.samplesPerSecond / uncached.samplesPerSecond) * 10) / 10,
    })}\n`,
  );
}

await main();
