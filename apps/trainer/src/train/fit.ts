import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '@mlops/ml/backend';
import { mulberry32, shuffleInPlace } from '@mlops/ml/split';

/** A design matrix and its targets, flat row-major. */
export interface Matrix {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

export interface EpochReport {
  /** 1-based number of the epoch that just ended. */
  epoch: number;
  epochs: number;
  loss: number | null;
  valLoss: number | null;
  samplesPerSecond: number | null;
}

export interface FitOptions {
  inputWidth: number;
  outputWidth: number;
  epochs: number;
  batchSize: number;
  /** Stop after this many epochs without improvement of the monitored loss (0 = never). */
  patience: number;
  seed: number;
  onEpochEnd?: (report: EpochReport) => Promise<void> | void;
}

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  /** True when the weights of `bestEpoch` replaced the last epoch's. */
  restoredBest: boolean;
  history: Array<{ loss: number | null; valLoss: number | null }>;
  samplesPerSecond: number | null;
}

function lastValue(history: tfTypes.History, key: string): number | null {
  const values = history.history[key];
  const v = values?.[values.length - 1];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Train with early stopping that keeps the best weights (tf.callbacks.earlyStopping does not
 * restore them). Each epoch is one `model.fit` call on a permutation drawn from a seeded PRNG:
 * tfjs's own `shuffle` uses Math.random, which would make runs irreproducible.
 */
export async function fitModel(
  model: tfTypes.LayersModel,
  train: Matrix,
  validation: Matrix | null,
  opts: FitOptions,
): Promise<FitResult> {
  const tf = getTf();
  const rng = mulberry32(opts.seed ^ 0x5bd1e995);
  const xTrain = tf.tensor2d(train.x, [train.rows, opts.inputWidth]);
  const yTrain = tf.tensor2d(train.y, [train.rows, opts.outputWidth]);
  const val =
    validation && validation.rows > 0
      ? ([
          tf.tensor2d(validation.x, [validation.rows, opts.inputWidth]),
          tf.tensor2d(validation.y, [validation.rows, opts.outputWidth]),
        ] as [tfTypes.Tensor, tfTypes.Tensor])
      : null;
  const order = Array.from({ length: train.rows }, (_, i) => i);
  const history: FitResult['history'] = [];
  let best = { loss: Infinity, epoch: 0, weights: null as tfTypes.Tensor[] | null };
  let sinceBest = 0;
  let stoppedEarly = false;
  let totalSeconds = 0;

  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const perm = tf.tensor1d(shuffleInPlace(order, rng), 'int32');
      const xs = tf.gather(xTrain, perm);
      const ys = tf.gather(yTrain, perm);
      perm.dispose();
      const started = performance.now();
      let h: tfTypes.History;
      try {
        h = await model.fit(xs, ys, {
          epochs: epoch + 1,
          initialEpoch: epoch,
          batchSize: opts.batchSize,
          shuffle: false,
          verbose: 0,
          ...(val ? { validationData: val } : {}),
        });
      } finally {
        tf.dispose([xs, ys]);
      }
      const seconds = (performance.now() - started) / 1000;
      totalSeconds += seconds;
      const loss = lastValue(h, 'loss');
      const valLoss = lastValue(h, 'val_loss');
      history.push({ loss, valLoss });
      await opts.onEpochEnd?.({
        epoch: epoch + 1,
        epochs: opts.epochs,
        loss,
        valLoss,
        samplesPerSecond: seconds > 0 ? train.rows / seconds : null,
      });

      if (opts.patience <= 0) continue;
      // Without a validation split the training loss is the only signal left to monitor.
      const monitored = (val ? valLoss : loss) ?? Infinity;
      if (monitored < best.loss) {
        tf.dispose(best.weights ?? []);
        best = {
          loss: monitored,
          epoch: epoch + 1,
          weights: model.getWeights().map((w) => w.clone()),
        };
        sinceBest = 0;
      } else if (++sinceBest >= opts.patience) {
        stoppedEarly = true;
        break;
      }
    }
    const epochsRun = history.length;
    const restoredBest = best.weights !== null && best.epoch !== epochsRun;
    if (restoredBest && best.weights) model.setWeights(best.weights);
    return {
      epochsRun,
      bestEpoch: best.weights ? best.epoch : epochsRun,
      stoppedEarly,
      restoredBest,
      history,
      samplesPerSecond: totalSeconds > 0 ? (train.rows * epochsRun) / totalSeconds : null,
    };
  } finally {
    tf.dispose([xTrain, yTrain, ...(val ?? []), ...(best.weights ?? [])]);
  }
}
