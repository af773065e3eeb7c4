import type { EpochLoss } from '@mlops/contracts';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '@mlops/ml/backend';
import { mulberry32, shuffleInPlace } from '@mlops/ml/split';
import type { Checkpoint } from './checkpoint';
import { EpochTracker, abortError } from './epoch-loop';

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
  /**
   * Losses of earlier epochs whose own reports were replaced by this one while a send was in
   * flight (thread/epoch-reports.ts), oldest first: the run's curve still gets every epoch.
   */
  earlier?: EpochLoss[];
}

export interface FitOptions {
  inputWidth: number;
  /** Shape of one example when it is not a vector (an image: [height, width, channels]). */
  exampleShape?: readonly number[];
  /** Augments an epoch's (permuted) inputs; the result is disposed after the epoch. */
  augment?: (xs: tfTypes.Tensor, epoch: number) => tfTypes.Tensor;
  outputWidth: number;
  epochs: number;
  batchSize: number;
  /** Stop after this many epochs without improvement of the monitored loss (0 = never). */
  patience: number;
  seed: number;
  onEpochEnd?: (report: EpochReport) => Promise<void> | void;
  /** Continue from this checkpoint (its tensors are consumed: disposed by the fit). */
  resume?: Checkpoint;
  /** Called after an epoch when `due(epoch)` says so, with the encoded checkpoint. */
  checkpoint?: {
    runId: string;
    due(epoch: number): boolean;
    save(bytes: Uint8Array, epoch: number): Promise<void>;
  };
  /** Aborting stops the fit at the end of the current batch; the fit rejects with the reason. */
  signal?: AbortSignal;
  /**
   * Asked after each epoch (after its checkpoint): true makes the fit checkpoint now and reject
   * with `FitInterrupted` — graceful shutdown keeps the epoch just finished.
   */
  interrupt?: () => boolean;
}

export { FitInterrupted } from './epoch-loop';

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  /** True when the weights of `bestEpoch` replaced the last epoch's. */
  restoredBest: boolean;
  history: Array<{ loss: number | null; valLoss: number | null }>;
  samplesPerSecond: number | null;
  /** Epochs already done by an earlier attempt (0 when it started from scratch). */
  resumedFromEpoch: number;
}

function lastValue(history: tfTypes.History, key: string): number | null {
  const values = history.history[key];
  const v = values?.[values.length - 1];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The permutation of epoch `epoch`, from a PRNG seeded by (seed, epoch): independent of earlier
 * epochs, so a fit resumed at any epoch sees the same batches as an uninterrupted one. tfjs's
 * own `shuffle` uses Math.random, which would make runs irreproducible.
 */
export function epochPermutation(rows: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: rows }, (_, i) => i);
  return shuffleInPlace(
    order,
    mulberry32(((seed ^ 0x5bd1e995) + Math.imul(epoch, 0x9e3779b9)) | 0),
  );
}

/**
 * Train with early stopping that keeps the best weights (tf.callbacks.earlyStopping does not
 * restore them). Each epoch is one `model.fit` call on a seeded permutation. Between epochs the
 * fit may checkpoint (model, optimizer and its own state) and be resumed from that checkpoint.
 */
export async function fitModel(
  model: tfTypes.LayersModel,
  train: Matrix,
  validation: Matrix | null,
  opts: FitOptions,
): Promise<FitResult> {
  const tf = getTf();
  const example = opts.exampleShape ?? [opts.inputWidth];
  const xTrain = tf.tensor(train.x, [train.rows, ...example]);
  const yTrain = tf.tensor2d(train.y, [train.rows, opts.outputWidth]);
  const val =
    validation && validation.rows > 0
      ? ([
          tf.tensor(validation.x, [validation.rows, ...example]),
          tf.tensor2d(validation.y, [validation.rows, opts.outputWidth]),
        ] as [tfTypes.Tensor, tfTypes.Tensor])
      : null;
  const tracker = new EpochTracker(model, {
    ...opts,
    samples: train.rows,
    hasValidation: val !== null,
  });
  const { signal } = opts;

  try {
    if (opts.resume) await tracker.resume(opts.resume);
    const stopOnAbort = () => {
      model.stopTraining = true;
    };
    signal?.addEventListener('abort', stopOnAbort);
    try {
      for (let epoch = tracker.startEpoch; epoch < opts.epochs; epoch++) {
        if (signal?.aborted) throw abortError(signal);
        const perm = tf.tensor1d(epochPermutation(train.rows, opts.seed, epoch), 'int32');
        const gathered = tf.gather(xTrain, perm);
        const xs = opts.augment ? opts.augment(gathered, epoch) : gathered;
        if (xs !== gathered) gathered.dispose();
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
            // The abort listener sets stopTraining; tfjs checks it after every batch.
            ...(signal
              ? { callbacks: { onBatchEnd: () => (signal.aborted ? stopOnAbort() : undefined) } }
              : {}),
          });
        } finally {
          tf.dispose([xs, ys]);
        }
        if (signal?.aborted) throw abortError(signal);
        const stop = await tracker.endEpoch(epoch, {
          loss: lastValue(h, 'loss'),
          valLoss: lastValue(h, 'val_loss'),
          seconds: (performance.now() - started) / 1000,
          samples: train.rows,
        });
        if (stop) break;
      }
    } finally {
      signal?.removeEventListener('abort', stopOnAbort);
    }
    const done = tracker.finish();
    const { history, totalSeconds, startEpoch } = tracker;
    const ranHere = done.epochsRun - startEpoch;
    return {
      ...done,
      history,
      samplesPerSecond:
        totalSeconds > 0 && ranHere >= 0 ? (train.rows * done.epochsRun) / totalSeconds : null,
      resumedFromEpoch: startEpoch,
    };
  } finally {
    tf.dispose([xTrain, yTrain, ...(val ?? [])]);
    tracker.dispose();
  }
}
