import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { trainingTransferSchema, type AppError, type Hyperparameters } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { graphModelFiles } from '@mlops/ml/testing';
import { fitTransfer, type TransferFitInput } from '../src/train/transfer';
import type { TransferBaseBundle } from '../src/train/transfer-base';

let tf: ReturnType<typeof getTf>;
let base: TransferBaseBundle;
/** The base's weights by layer name (batch normalization's moving statistics included). */
const baseWeights = new Map<string, Float32Array[]>();

function weightsOf(layer: tfTypes.layers.Layer): Float32Array[] {
  return layer.getWeights().map((w) => w.dataSync() as Float32Array);
}

const ROWS = 48;
const SHAPE: [number, number, number] = [8, 8, 3];
const hp: Hyperparameters = {
  epochs: 4,
  batchSize: 8,
  learningRate: 0.05,
  dropout: 0,
  l2: 0,
  earlyStoppingPatience: 0,
  testFraction: 0.2,
  validationFraction: 0,
};

function bundle(files: Array<{ path: string; bytes: Uint8Array }>): TransferBaseBundle {
  return {
    ref: { model: 'base', version: 1, sha256: '0'.repeat(64) },
    files: files.map((f) => ({ ...f, sha256: sha256Hex(f.bytes), size: f.bytes.byteLength })),
    decoding: { height: 8, width: 8, channels: 3, resize: 'bilinear', scale: 1 / 255 },
  };
}

/** Two classes told apart by brightness: class 1 images are brighter. */
function data(): TransferFitInput['train'] {
  const size = SHAPE[0] * SHAPE[1] * SHAPE[2];
  const x = new Float32Array(ROWS * size);
  const y = new Float32Array(ROWS * 2);
  for (let r = 0; r < ROWS; r++) {
    const label = r % 2;
    for (let k = 0; k < size; k++) x[r * size + k] = (label ? 0.6 : 0.2) + ((r * 7 + k) % 10) / 50;
    y[r * 2 + label] = 1;
  }
  return { x, y, rows: ROWS };
}

function input(
  overrides: Partial<TransferFitInput> & { cacheFeatures?: boolean; freeze?: boolean },
) {
  const { cacheFeatures = true, freeze = true, ...rest } = overrides;
  return {
    base,
    transfer: trainingTransferSchema.parse({
      base: { model: 'base', version: 1 },
      cacheFeatures,
      freeze,
    }),
    hp,
    seed: 3,
    classes: 2,
    shape: SHAPE,
    train: data(),
    validation: null,
    ...rest,
  };
}

beforeAll(async () => {
  await initBackend('cpu');
  tf = getTf();
  const image = tf.input({ shape: SHAPE });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: 'glorotUniform' })
    .apply(image) as tfTypes.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'base_norm' }).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers
    .dense({ units: 6, activation: 'relu', name: 'base_dense' })
    .apply(x) as tfTypes.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(x);
  const model = tf.model({ inputs: image, outputs: out as tfTypes.SymbolicTensor });
  base = bundle(await serializeModel(model));
  for (const layer of model.layers) baseWeights.set(layer.name, weightsOf(layer));
  model.dispose();
});

describe('fitTransfer', () => {
  it('trains the same head on cached features as through the frozen base', async () => {
    const cached = await fitTransfer(input({ cacheFeatures: true }));
    const direct = await fitTransfer(input({ cacheFeatures: false }));
    expect(cached.cached.features).toBe(true);
    expect(direct.cached.features).toBe(false);
    const losses = (f: typeof cached) => f.fit.history.map((h) => h.loss!);
    expect(losses(cached)).toHaveLength(4);
    losses(cached).forEach((loss, i) => expect(loss).toBeCloseTo(losses(direct)[i]!, 4));
    // It learned: the loss fell from the first epoch to the last.
    expect(losses(cached)[3]!).toBeLessThan(losses(cached)[0]!);
    cached.model.dispose();
    direct.model.dispose();
  });

  it('does not cache when an augmentation changes the base input each epoch', async () => {
    const out = await fitTransfer(input({ augment: (xs) => xs.clone() }));
    expect(out.cached.features).toBe(false);
    out.model.dispose();
  });

  it('leaves a frozen base bit for bit, batch-norm statistics included, training through it', async () => {
    const out = await fitTransfer(input({ cacheFeatures: false }));
    expect(out.cached.features).toBe(false);
    for (const name of ['base_norm', 'base_dense'])
      expect(weightsOf(out.model.getLayer(name))).toEqual(baseWeights.get(name));
    out.model.dispose();
  });

  it('trains the whole base with the head when freeze is false (nothing to cache)', async () => {
    const out = await fitTransfer(input({ freeze: false }));
    expect(out.cached.features).toBe(false);
    expect(weightsOf(out.model.getLayer('base_dense'))).not.toEqual(baseWeights.get('base_dense'));
    out.model.dispose();
  });

  it('refuses a base of another input shape and a graph model, naming transfer.base', async () => {
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (err: unknown) => err as AppError,
      );
    const shape = await failure(fitTransfer(input({ shape: [16, 16, 3] })));
    expect(shape?.code).toBe('VALIDATION_FAILED');
    expect(shape?.message).toMatch(/takes \[8, 8, 3\] but the run decodes images to \[16, 16, 3\]/);
    expect(shape?.details?.[0]?.path).toBe('transfer.base');
    const graph = await failure(fitTransfer(input({ base: bundle(graphModelFiles()) })));
    expect(graph?.code).toBe('VALIDATION_FAILED');
    expect(graph?.message).toMatch(/graph model: its layers cannot be cut or frozen/);
  });
});
