import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '@mlops/ml/backend';
import { encodeCheckpoint, restoreFit, type Checkpoint, type FitState } from './checkpoint';
import type { FitOptions, FitResult } from './fit';

/** The fit stopped between epochs on request; `epoch` epochs are in the last checkpoint. */
export class FitInterrupted extends Error {
  constructor(readonly epoch: number) {
    super(`training interrupted after epoch ${epoch}; it resumes from its checkpoint`);
  }
}

/** The error a fit rejects with when its signal aborts. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('training aborted');
}

export interface EpochTrackerOptions extends Pick<
  FitOptions,
  'epochs' | 'patience' | 'onEpochEnd' | 'checkpoint' | 'interrupt'
> {
  /** Training rows of the split: recorded in checkpoints so a resume can check its split. */
  samples: number;
  /** With validation data the validation loss is monitored, else the training loss. */
  hasValidation: boolean;
}

export interface EpochOutcome {
  loss: number | null;
  valLoss: number | null;
  /** Wall time of the epoch. */
  seconds: number;
  /** Rows trained on this epoch (for the epoch's samples per second). */
  samples: number;
}

/**
 * The bookkeeping between epochs shared by the in-memory and the streaming fit: history, early
 * stopping that keeps the best weights (tf.callbacks.earlyStopping does not restore them),
 * checkpoints, progress reports and interrupts. Owns the best-weights tensors: call `dispose`.
 */
export class EpochTracker {
  readonly history: FitResult['history'] = [];
  private best = { loss: Infinity, epoch: 0, weights: null as tfTypes.Tensor[] | null };
  private sinceBest = 0;
  private stoppedEarly = false;
  /** Seconds spent training, including those of the attempt a resume continues. */
  totalSeconds = 0;
  /** Epochs done by an earlier attempt (0 when it started from scratch). */
  startEpoch = 0;

  constructor(
    private readonly model: tfTypes.LayersModel,
    private readonly opts: EpochTrackerOptions,
  ) {}

  /** Continue from `checkpoint` (its tensors are consumed). */
  async resume(checkpoint: Checkpoint): Promise<void> {
    const restored = await restoreFit(this.model, checkpoint);
    this.startEpoch = restored.startEpoch;
    this.history.push(...restored.history);
    this.totalSeconds = restored.totalSeconds;
    this.sinceBest = restored.sinceBest;
    this.best = restored.best;
  }

  /**
   * Record epoch `epoch` (0-based) that just ended: early stopping, checkpoint when due or
   * interrupted, `onEpochEnd`. Rejects with `FitInterrupted` on interrupt; resolves to true when
   * early stopping says to stop.
   */
  async endEpoch(epoch: number, outcome: EpochOutcome): Promise<boolean> {
    const { opts } = this;
    const { loss, valLoss, seconds } = outcome;
    this.totalSeconds += seconds;
    this.history.push({ loss, valLoss });

    let stop = false;
    if (opts.patience > 0) {
      // Without a validation split the training loss is the only signal left to monitor.
      const monitored = (opts.hasValidation ? valLoss : loss) ?? Infinity;
      if (monitored < this.best.loss) {
        getTf().dispose(this.best.weights ?? []);
        this.best = {
          loss: monitored,
          epoch: epoch + 1,
          weights: this.model.getWeights().map((w) => w.clone()),
        };
        this.sinceBest = 0;
      } else if (++this.sinceBest >= opts.patience) {
        stop = true;
      }
    }
    const interrupt = opts.interrupt?.() ?? false;
    if (opts.checkpoint && (interrupt || opts.checkpoint.due(epoch + 1))) {
      const state: FitState = {
        epoch: epoch + 1,
        history: this.history,
        bestLoss: Number.isFinite(this.best.loss) ? this.best.loss : null,
        bestEpoch: this.best.epoch,
        sinceBest: this.sinceBest,
        totalSeconds: this.totalSeconds,
        samples: opts.samples,
      };
      const bytes = await encodeCheckpoint(
        this.model,
        opts.checkpoint.runId,
        state,
        this.best.weights ?? [],
      );
      await opts.checkpoint.save(bytes, epoch + 1);
    }
    await opts.onEpochEnd?.({
      epoch: epoch + 1,
      epochs: opts.epochs,
      loss,
      valLoss,
      samplesPerSecond: seconds > 0 ? outcome.samples / seconds : null,
    });
    if (interrupt) throw new FitInterrupted(epoch + 1);
    if (stop) this.stoppedEarly = true;
    return stop;
  }

  /** After the last epoch: put the best epoch's weights back into the model when they differ. */
  finish(): Pick<FitResult, 'epochsRun' | 'bestEpoch' | 'stoppedEarly' | 'restoredBest'> {
    const epochsRun = this.history.length;
    const { best } = this;
    const restoredBest = best.weights !== null && best.epoch !== epochsRun;
    if (restoredBest && best.weights) this.model.setWeights(best.weights);
    return {
      epochsRun,
      bestEpoch: best.weights ? best.epoch : epochsRun,
      stoppedEarly: this.stoppedEarly,
      restoredBest,
    };
  }

  dispose(): void {
    getTf().dispose(this.best.weights ?? []);
  }
}
