import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type Hyperparameters, type ModelPreset } from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { layerSeed, PRESET_HIDDEN_UNITS } from './build';

/** The names an image model's input and output keep through save and load. */
export const IMAGE_INPUT_NAME = 'image';
export const IMAGE_OUTPUT_NAME = 'probabilities';

export interface BuildImageModelOptions {
  preset: ModelPreset;
  /** [height, width, channels] of one image, scaled to [0, 1]. */
  imageShape: readonly [number, number, number];
  classes: number;
  hyperparameters: Pick<Hyperparameters, 'learningRate' | 'dropout' | 'l2' | 'hiddenUnits'>;
  seed: number;
}

/**
 * A small image classifier taking [n, height, width, channels]: conv(8) → pool → conv(16) →
 * pool → dense → softmax. A functional model, not a Sequential: a reloaded Sequential names its
 * output by tensor, which tfjs renames (`…_1`) when the process already holds that name, so the
 * signature would not match the model serving loads. Layer names survive the round trip.
 */
export function buildImageModel(opts: BuildImageModelOptions): tfTypes.LayersModel {
  if (opts.preset !== 'cnn-small')
    throw new AppError(
      'VALIDATION_FAILED',
      `preset "${opts.preset}" trains on scalar columns; image datasets train with preset "cnn-small"`,
      [{ path: 'preset', message: 'must be "cnn-small" for an image dataset' }],
    );
  const tf = getTf();
  const hp = opts.hyperparameters;
  const [h, w] = opts.imageShape;
  const regularizer = hp.l2 > 0 ? tf.regularizers.l2({ l2: hp.l2 }) : undefined;
  const init = (layer: number) =>
    tf.initializers.glorotUniform({ seed: layerSeed(opts.seed, layer) });
  const pool: [number, number] = [h >= 2 ? 2 : 1, w >= 2 ? 2 : 1];
  const input = tf.input({ shape: [...opts.imageShape], name: IMAGE_INPUT_NAME });
  let x = input;
  for (const [i, filters] of [8, 16].entries()) {
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: [Math.min(3, h), Math.min(3, w)],
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(100 + i),
        ...(regularizer ? { kernelRegularizer: regularizer } : {}),
      })
      .apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ poolSize: pool, strides: pool })
      .apply(x) as tfTypes.SymbolicTensor;
  }
  x = tf.layers.flatten().apply(x) as tfTypes.SymbolicTensor;
  const hidden = hp.hiddenUnits ?? PRESET_HIDDEN_UNITS['cnn-small'];
  hidden.forEach((units, i) => {
    x = tf.layers
      .dense({
        units,
        activation: 'relu',
        kernelInitializer: init(i),
        ...(regularizer ? { kernelRegularizer: regularizer } : {}),
      })
      .apply(x) as tfTypes.SymbolicTensor;
    // Unseeded on purpose, as in buildModel: a seeded tfjs dropout repeats one mask.
    if (hp.dropout > 0)
      x = tf.layers.dropout({ rate: hp.dropout }).apply(x) as tfTypes.SymbolicTensor;
  });
  const output = tf.layers
    .dense({
      units: opts.classes,
      activation: 'softmax',
      name: IMAGE_OUTPUT_NAME,
      kernelInitializer: init(hidden.length),
    })
    .apply(x) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'categoricalCrossentropy' });
  return model;
}
