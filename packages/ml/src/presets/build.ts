import type * as tfTypes from '@tensorflow/tfjs';
import type { Hyperparameters, ModelPreset, Task } from '@mlops/contracts';
import { getTf } from '../backend/backend';

/** Default hidden layers of each preset (`hyperparameters.hiddenUnits` overrides them). */
export const PRESET_HIDDEN_UNITS: Record<ModelPreset, readonly number[]> = {
  'mlp-small': [32, 16],
  'mlp-medium': [64, 64],
  linear: [],
};

export interface BuildModelOptions {
  preset: ModelPreset;
  task: Task;
  inputWidth: number;
  /** Number of classes for classification, 1 for regression. */
  outputWidth: number;
  hyperparameters: Pick<Hyperparameters, 'learningRate' | 'dropout' | 'l2' | 'hiddenUnits'>;
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
 * Build and compile the preset's network. Only dense and dropout layers: they train on every
 * backend, including wasm, which lacks the gradients of conv and embedding layers.
 * Dropout is left unseeded on purpose: a seeded tfjs dropout draws the same mask on every batch.
 */
export function buildModel(opts: BuildModelOptions): tfTypes.Sequential {
  const tf = getTf();
  const { hyperparameters: hp } = opts;
  const hidden = hp.hiddenUnits ?? PRESET_HIDDEN_UNITS[opts.preset];
  const regularizer = hp.l2 > 0 ? tf.regularizers.l2({ l2: hp.l2 }) : undefined;
  const model = tf.sequential();

  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        ...(i === 0 ? { inputShape: [opts.inputWidth] } : {}),
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
      ...(hidden.length === 0 ? { inputShape: [opts.inputWidth] } : {}),
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

/**
 * Dispose a model and its optimizer. tfjs only disposes optimizers it created from a string
 * name; ours is built with a learning rate, so its state (Adam moments) would leak otherwise.
 */
export function disposeModel(model: tfTypes.LayersModel): void {
  const optimizer = model.optimizer as tfTypes.Optimizer | undefined;
  model.dispose();
  optimizer?.dispose();
}
