import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { layerSeed } from './build';
import { IMAGE_OUTPUT_NAME } from './image';

/** A base model cut below its last layer: what a new head is put on. */
export interface CutBase {
  input: tfTypes.SymbolicTensor;
  /** The penultimate layer's output: the features the new head learns from. */
  features: tfTypes.SymbolicTensor;
  /** The base's layers that stay in the new model (input excluded), bottom to top. */
  layers: tfTypes.layers.Layer[];
}

function refuse(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path: 'transfer.base', message }]);
}

/**
 * Cut `base` at its penultimate layer: its last layer (the old classifier) is dropped, the
 * input to it becomes the features. Only a model with one image input of `imageShape` and one
 * output, whose last layer has a single input, can be cut this way.
 */
export function cutBase(
  base: tfTypes.LayersModel,
  imageShape: readonly [number, number, number],
): CutBase {
  if (base.inputs.length !== 1 || base.outputs.length !== 1)
    throw refuse(
      `the base has ${base.inputs.length} inputs and ${base.outputs.length} outputs; transfer needs one image input and one output`,
    );
  const input = base.inputs[0]!;
  const shape = input.shape.slice(1);
  if (shape.join(',') !== imageShape.join(','))
    throw refuse(
      `the base's input takes [${shape.join(', ')}] but the run decodes images to [${imageShape.join(', ')}]`,
    );
  const last = base.layers[base.layers.length - 1];
  const features = last?.input;
  if (!last || Array.isArray(features) || !features || base.layers.length < 3)
    throw refuse(
      'the base has no single penultimate layer to cut at (its last layer takes several inputs, or it is too shallow)',
    );
  const layers = base.layers.slice(0, -1).filter((l) => l.getClassName() !== 'InputLayer');
  return { input, features, layers };
}

export interface HeadOptions {
  classes: number;
  /** Hidden dense layers (relu) before the softmax. */
  units: readonly number[];
  dropout: number;
  l2: number;
  seed: number;
  /** Layer names the head must not reuse (the base's). */
  taken: ReadonlySet<string>;
}

/**
 * A new classification head as a function of the features: [flatten when the features are
 * not a vector] → dense (relu) per `units` → softmax over `classes`. Its layers are made once,
 * so applying it to two inputs (the base's features, and cached features) shares the weights.
 * Names are prefixed so they never collide with the base's, even a base that was itself
 * trained by transfer.
 */
export function buildHead(
  opts: HeadOptions,
): (x: tfTypes.SymbolicTensor) => tfTypes.SymbolicTensor {
  const tf = getTf();
  let k = 0;
  while ([...opts.taken].some((name) => name.startsWith(`head${k}_`))) k++;
  const prefix = `head${k}_`;
  const regularizer = opts.l2 > 0 ? tf.regularizers.l2({ l2: opts.l2 }) : undefined;
  const init = (i: number) =>
    tf.initializers.glorotUniform({ seed: layerSeed(opts.seed, 500 + i) });
  const flatten = tf.layers.flatten({ name: `${prefix}flatten` });
  const hidden = opts.units.map((units, i) => ({
    dense: tf.layers.dense({
      units,
      activation: 'relu',
      name: `${prefix}dense_${i}`,
      kernelInitializer: init(i),
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
    }),
    // Unseeded on purpose, as in buildModel: a seeded tfjs dropout repeats one mask.
    dropout:
      opts.dropout > 0
        ? tf.layers.dropout({ rate: opts.dropout, name: `${prefix}dropout_${i}` })
        : null,
  }));
  const output = tf.layers.dense({
    units: opts.classes,
    activation: 'softmax',
    name: opts.taken.has(IMAGE_OUTPUT_NAME) ? `${prefix}${IMAGE_OUTPUT_NAME}` : IMAGE_OUTPUT_NAME,
    kernelInitializer: init(opts.units.length),
  });
  return (features) => {
    let x =
      features.shape.length > 2 ? (flatten.apply(features) as tfTypes.SymbolicTensor) : features;
    for (const layer of hidden) {
      x = layer.dense.apply(x) as tfTypes.SymbolicTensor;
      if (layer.dropout) x = layer.dropout.apply(x) as tfTypes.SymbolicTensor;
    }
    return output.apply(x) as tfTypes.SymbolicTensor;
  };
}

/** The base's layers that hold weights: what "the top N layers" counts (pools do not). */
export function weightedLayers(layers: readonly tfTypes.layers.Layer[]): tfTypes.layers.Layer[] {
  return layers.filter((l) => l.weights.length > 0);
}

/**
 * Freeze the base, or unfreeze its top `top` weighted layers (0 = all frozen). Takes effect at
 * the next `compile`. Batch normalization layers of the base always normalize with their
 * moving statistics (see `inferenceNormalization`).
 */
export function freezeBase(layers: readonly tfTypes.layers.Layer[], top: number): void {
  const weighted = weightedLayers(layers);
  const open = new Set(top > 0 ? weighted.slice(-top) : []);
  for (const layer of layers) {
    layer.trainable = open.has(layer);
    if (layer.getClassName() === 'BatchNormalization') inferenceNormalization(layer);
  }
}

const PINNED = Symbol('inference-normalization');

/**
 * Make a batch normalization layer run in inference mode even while the model trains. TF.js's
 * layer, unlike Keras's, ignores `trainable` in training mode: it normalizes with the batch's
 * statistics and overwrites its moving mean and variance, so a "frozen" base would drift. Keras's
 * transfer-learning guide keeps these layers in inference mode while fine-tuning too; so does
 * this (gamma and beta still train once the layer is unfrozen).
 */
function inferenceNormalization(layer: tfTypes.layers.Layer): void {
  const pinned = layer as tfTypes.layers.Layer & { [PINNED]?: true };
  if (pinned[PINNED]) return;
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  pinned[PINNED] = true;
}
