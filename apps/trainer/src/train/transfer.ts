import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type Hyperparameters, type TrainingTransfer } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import { loadTfModel } from '@mlops/ml/bundle';
import { buildHead, cutBase, freezeBase } from '@mlops/ml/presets';
import { fitModel, type FitOptions, type FitResult, type Matrix } from './fit';
import type { TransferBaseBundle } from './transfer-base';

export interface TransferFitInput {
  base: TransferBaseBundle;
  transfer: TrainingTransfer;
  hp: Hyperparameters;
  seed: number;
  classes: number;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
  train: Matrix;
  validation: Matrix | null;
  augment?: FitOptions['augment'];
  onEpochEnd?: FitOptions['onEpochEnd'];
  control?: Pick<FitOptions, 'signal' | 'interrupt'>;
}

export interface TransferFit {
  /** Base (cut) + new head: the model the version serves. The caller disposes it. */
  model: tfTypes.LayersModel;
  fit: FitResult;
  /** Whether the head trained on cached base features (and how long computing them took). */
  cached: { features: boolean; seconds: number };
}

/** The base's layers model, or a clear refusal for a graph model (it has no layers to cut). */
async function loadBase(base: TransferBaseBundle): Promise<tfTypes.LayersModel> {
  const loaded = await loadTfModel(
    { files: base.files },
    new Map(base.files.map((f) => [f.path, f.bytes])),
  );
  if (loaded.format === 'layers-model') return loaded.model;
  loaded.model.dispose();
  const message = `base ${base.ref.model} v${base.ref.version} is a TF.js graph model: its layers cannot be cut or frozen; transfer needs a layers model`;
  throw new AppError('VALIDATION_FAILED', message, [{ path: 'transfer.base', message }]);
}

/**
 * The features of every example of `data`, computed once by the frozen base, a batch at a time:
 * only one batch of images is ever a tensor, beside the features (far smaller than the images).
 */
function extract(
  features: tfTypes.LayersModel,
  data: Matrix,
  shape: readonly number[],
  batchSize: number,
): Matrix {
  const tf = getTf();
  const size = shape.reduce((a, b) => a * b, 1);
  let x = new Float32Array(0);
  for (let start = 0; start < data.rows; start += batchSize) {
    const rows = Math.min(batchSize, data.rows - start);
    const batch = tf.tidy(() => {
      const images = tf.tensor(data.x.subarray(start * size, (start + rows) * size), [
        rows,
        ...shape,
      ]);
      return features.predict(images) as tfTypes.Tensor;
    });
    const values = batch.dataSync() as Float32Array;
    batch.dispose();
    if (start === 0) x = new Float32Array((values.length / rows) * data.rows);
    x.set(values, start * (values.length / rows));
  }
  return { x, y: data.y, rows: data.rows };
}

/** Two phases' results as one: their epochs and histories in a row, throughput over both. */
function joinFits(first: FitResult, second: FitResult, rows: number): FitResult {
  const time = (f: FitResult) =>
    f.samplesPerSecond ? (rows * f.epochsRun) / f.samplesPerSecond : 0;
  const seconds = time(first) + time(second);
  const epochs = first.epochsRun + second.epochsRun;
  return {
    epochsRun: epochs,
    bestEpoch: first.epochsRun + second.bestEpoch,
    stoppedEarly: second.stoppedEarly,
    restoredBest: second.restoredBest,
    history: [...first.history, ...second.history],
    samplesPerSecond: seconds > 0 ? (rows * epochs) / seconds : null,
    resumedFromEpoch: 0,
  };
}

/**
 * Transfer learning: cut the base at its penultimate layer, freeze it, train a new head; with
 * `unfreezeTopLayers`, then train the top weighted layers of the base too at a lower learning
 * rate. When the base is frozen and no augmentation changes its input, its features are
 * computed once and the head trains on them alone — the same gradients, without running the
 * base every epoch. No checkpoints: a restarted transfer run trains again from the base.
 */
export async function fitTransfer(input: TransferFitInput): Promise<TransferFit> {
  const tf = getTf();
  const { transfer, hp } = input;
  const base = await loadBase(input.base);
  let model: tfTypes.LayersModel | null = null;
  try {
    const cut = cutBase(base, input.shape);
    const head = buildHead({
      classes: input.classes,
      units: transfer.headUnits,
      dropout: hp.dropout,
      l2: hp.l2,
      seed: input.seed,
      taken: new Set(cut.layers.map((l) => l.name)),
    });
    model = tf.model({ inputs: cut.input, outputs: head(cut.features) });
    freezeBase(cut.layers, transfer.freeze ? 0 : cut.layers.length);
    const common = {
      outputWidth: input.classes,
      batchSize: hp.batchSize,
      patience: hp.earlyStoppingPatience,
      seed: input.seed,
      ...input.control,
    };
    const imageWidth = input.shape.reduce((a, b) => a * b, 1);
    const cache = transfer.freeze && transfer.cacheFeatures && !input.augment;
    let first: FitResult;
    const cached = { features: cache, seconds: 0 };
    if (cache) {
      const started = performance.now();
      const extractor = tf.model({ inputs: cut.input, outputs: cut.features });
      const train = extract(extractor, input.train, input.shape, hp.batchSize);
      const validation = input.validation
        ? extract(extractor, input.validation, input.shape, hp.batchSize)
        : null;
      cached.seconds = (performance.now() - started) / 1000;
      const featureShape = cut.features.shape.slice(1) as number[];
      const features = tf.input({ shape: featureShape });
      // The same head layers on a features input: training this trains the served model's head.
      const headModel = tf.model({ inputs: features, outputs: head(features) });
      headModel.compile({
        optimizer: tf.train.adam(hp.learningRate),
        loss: 'categoricalCrossentropy',
      });
      try {
        first = await fitModel(headModel, train, validation, {
          ...common,
          inputWidth: train.x.length / Math.max(1, train.rows),
          exampleShape: featureShape,
          epochs: hp.epochs,
          ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
        });
      } finally {
        (headModel.optimizer as tfTypes.Optimizer | undefined)?.dispose();
      }
    } else {
      model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'categoricalCrossentropy' });
      first = await fitModel(model, input.train, input.validation, {
        ...common,
        inputWidth: imageWidth,
        exampleShape: input.shape,
        epochs: hp.epochs,
        ...(input.augment ? { augment: input.augment } : {}),
        ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
      });
    }
    if (transfer.unfreezeTopLayers === 0) return { model, fit: first, cached };

    // Phase 2: the top layers of the base learn too, slowly enough not to wreck what they know.
    freezeBase(cut.layers, transfer.unfreezeTopLayers);
    (model.optimizer as tfTypes.Optimizer | undefined)?.dispose();
    const fineTuneEpochs = transfer.fineTuneEpochs ?? hp.epochs;
    model.compile({
      optimizer: tf.train.adam(transfer.fineTuneLearningRate ?? hp.learningRate / 10),
      loss: 'categoricalCrossentropy',
    });
    const onEpochEnd = input.onEpochEnd;
    const second = await fitModel(model, input.train, input.validation, {
      ...common,
      inputWidth: imageWidth,
      exampleShape: input.shape,
      epochs: fineTuneEpochs,
      ...(input.augment ? { augment: input.augment } : {}),
      // Progress counts both phases: epoch k of phase 2 is epoch (phase 1's + k).
      ...(onEpochEnd
        ? {
            onEpochEnd: (r) =>
              onEpochEnd({
                ...r,
                epoch: first.epochsRun + r.epoch,
                epochs: first.epochsRun + fineTuneEpochs,
              }),
          }
        : {}),
    });
    return { model, fit: joinFits(first, second, input.train.rows), cached };
  } catch (err) {
    model?.dispose();
    throw err;
  } finally {
    // The cut-off classifier is the only layer the new model does not hold.
    base.layers[base.layers.length - 1]?.dispose();
  }
}
