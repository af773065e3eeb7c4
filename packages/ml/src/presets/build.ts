import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type Hyperparameters, type ModelPreset, type Task } from '@mlops/contracts';
import { getTf } from '../backend/backend';

/** Default hidden layers of each preset (`hyperparameters.hiddenUnits` overrides them). */
export const PRESET_HIDDEN_UNITS: Record<ModelPreset, readonly number[]> = {
  'mlp-small': [32, 16],
  'mlp-medium': [64, 64],
  linear: [],
  'cnn-small': [32],
};

export interface BuildModelOptions {
  preset: ModelPreset;
  task: Task;
  inputWidth: number;
  /** Number of classes for classification, 1 for regression. */
  outputWidth: number;
  hyperparameters: Pick<
    Hyperparameters,
    'learningRate' | 'dropout' | 'l2' | 'hiddenUnits' | 'inputShape'
  >;
  seed: number;
}

/**
 * A distinct, deterministic initializer seed per layer: the same spec seed gives the same
 * initial weights, while layers do not start from identical draws.
 */
export function layerSeed(seed: number, layer: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (layer + 1), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) % 2_147_483_647;
}

/**
 * Build and compile the preset's network: dense (+ dropout) layers, after a small conv stem for
 * `cnn-small`.
 * Dropout is left unseeded on purpose: a seeded tfjs dropout draws the same mask on every batch.
 */
export function buildModel(opts: BuildModelOptions): tfTypes.Sequential {
  const tf = getTf();
  const { hyperparameters: hp } = opts;
  const hidden = hp.hiddenUnits ?? PRESET_HIDDEN_UNITS[opts.preset];
  const regularizer = hp.l2 > 0 ? tf.regularizers.l2({ l2: hp.l2 }) : undefined;
  const model = tf.sequential();
  const cnn = opts.preset === 'cnn-small';
  if (cnn) addConvStem(model, opts, regularizer);

  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        ...(i === 0 && !cnn ? { inputShape: [opts.inputWidth] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(opts.seed, i) }),
        biasInitializer: 'zeros',
        ...(regularizer ? { kernelRegularizer: regularizer } : {}),
      }),
    );
    if (hp.dropout > 0) model.add(tf.layers.dropout({ rate: hp.dropout }));
  });

  const classification = opts.task === 'classification';
  model.add(
    tf.layers.dense({
      units: opts.outputWidth,
      activation: classification ? 'softmax' : 'linear',
      ...(hidden.length === 0 && !cnn ? { inputShape: [opts.inputWidth] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({
        seed: layerSeed(opts.seed, hidden.length),
      }),
      biasInitializer: 'zeros',
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
    }),
  );
  model.compile({
    optimizer: tf.train.adam(hp.learningRate),
    loss: classification ? 'categoricalCrossentropy' : 'meanSquaredError',
  });
  return model;
}

/** The image shape of the `cnn-small` input: the hyperparameter, else a 1-D signal. */
export function cnnInputShape(
  inputWidth: number,
  inputShape: readonly number[] | undefined,
): [number, number, number] {
  if (!inputShape) return [1, inputWidth, 1];
  const [h = 1, w = 1, c = 1] = inputShape;
  if (h * w * c !== inputWidth) {
    throw new AppError(
      'VALIDATION_FAILED',
      `hyperparameters.inputShape [${inputShape.join(', ')}] holds ${h * w * c} values but the encoded features are ${inputWidth} wide; make its product ${inputWidth}`,
      [{ path: 'hyperparameters.inputShape', message: `product must be ${inputWidth}` }],
    );
  }
  return [h, w, c];
}

/**
 * Reshape the feature vector to an image, then conv → max-pool → conv → flatten. Kernels and
 * pools shrink to 1 along a dimension of size 1, so a 1-D signal `[1, n, 1]` works too. The
 * conv gradients are not wasm kernels; `registerWasmFallbacks` provides them.
 */
function addConvStem(
  model: tfTypes.Sequential,
  opts: BuildModelOptions,
  regularizer: ReturnType<ReturnType<typeof getTf>['regularizers']['l2']> | undefined,
): void {
  const tf = getTf();
  const [h, w, c] = cnnInputShape(opts.inputWidth, opts.hyperparameters.inputShape);
  const k = (n: number): [number, number] => [Math.min(3, h, n), Math.min(3, w, n)];
  model.add(tf.layers.reshape({ targetShape: [h, w, c], inputShape: [opts.inputWidth] }));
  const conv = (filters: number, layer: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: k(3),
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(opts.seed, 100 + layer) }),
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
    });
  model.add(conv(8, 0));
  const pool: [number, number] = [h >= 2 ? 2 : 1, w >= 2 ? 2 : 1];
  model.add(tf.layers.maxPooling2d({ poolSize: pool, strides: pool }));
  model.add(conv(16, 1));
  model.add(tf.layers.flatten());
}

/**
 * Dispose a model and its optimizer. tfjs only disposes optimizers it created from a string
 * name; ours is built with a learning rate, so its state (Adam moments) would leak otherwise.
 */
export function disposeModel(model: tfTypes.LayersModel): void {
  const optimizer = model.optimizer as tfTypes.Optimizer | undefined;
  model.dispose();
  optimizer?.dispose();
}
