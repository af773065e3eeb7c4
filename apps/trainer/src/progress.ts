import type { Job } from 'bullmq';
import type { EpochLoss, RunProgress } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { TrainerMetrics } from './metrics';
import type { TrainerRegistry } from './registry';
import { cancelledError } from './cancellations';
import { asAppError } from './errors';
import type { EpochReport } from './train/fit';
import type { CheckpointSaver } from './train/resume';

/**
 * Per-epoch progress of one run, on its BullMQ job and on the registry, throttled to one report
 * per `intervalMs` — except the last epoch and a fresh checkpoint, which are always reported.
 * The throttle drops no epoch from the run's loss curve: each report carries the losses of every
 * epoch since the last report the registry accepted.
 */
export class ProgressReporter {
  private at = 0;
  private reportedCheckpoint: string | undefined;
  /** The latest epoch seen, reported or not. */
  last: EpochReport | undefined;
  /** Epochs not yet accepted by the registry, oldest first. */
  private pending: EpochLoss[] = [];
  private lastEpoch = 0;

  constructor(
    private readonly job: Job,
    private readonly runId: string,
    private readonly deps: {
      registry: TrainerRegistry;
      logger: Logger;
      metrics?: TrainerMetrics;
      intervalMs: number;
      saver: CheckpointSaver;
    },
  ) {}

  /** Rejects with CONFLICT when the registry says the run is no longer running. */
  async report(report: EpochReport, force = false): Promise<void> {
    const { registry, logger, metrics, saver } = this.deps;
    metrics?.samplesPerSecond.set(report.samplesPerSecond ?? 0);
    const now = Date.now();
    const checkpoint = saver.latest;
    // A new checkpoint is always reported at once: it is what a restarted job resumes from.
    const fresh = checkpoint !== undefined && checkpoint.sha256 !== this.reportedCheckpoint;
    this.last = report;
    const own = { epoch: report.epoch, loss: report.loss, valLoss: report.valLoss };
    // Epochs only grow within one attempt; a flush repeats the last one, which is not re-added.
    for (const e of [...(report.earlier ?? []), own]) {
      if (e.epoch <= this.lastEpoch) continue;
      this.pending.push(e);
      this.lastEpoch = e.epoch;
    }
    const throttled = now - this.at < this.deps.intervalMs;
    if (throttled && report.epoch < report.epochs && !fresh && !force) return;
    this.at = now;
    const progress: RunProgress = {
      epoch: report.epoch,
      epochs: report.epochs,
      loss: report.loss,
      valLoss: report.valLoss,
      samplesPerSecond: report.samplesPerSecond,
      ...(checkpoint ? { checkpoint } : {}),
    };
    try {
      await this.job.updateProgress({ runId: this.runId, ...progress });
      const curve = this.pending;
      await registry.api.runs.progress.mutate({ id: this.runId, progress, curve });
      this.pending = this.pending.slice(curve.length);
      if (checkpoint) this.reportedCheckpoint = checkpoint.sha256;
    } catch (err) {
      const appErr = asAppError(err);
      // The registry refuses progress once the run is no longer running (cancelled, failed
      // elsewhere): stop spending the machine on it.
      if (appErr.code === 'PRECONDITION_FAILED') throw cancelledError(this.runId, appErr.message);
      // Otherwise progress is informative: losing one report must not lose the training.
      logger.warn({ runId: this.runId, err: appErr.message }, 'progress report failed');
    }
  }

  /** An early stop ends before `epochs`: the throttle may have skipped that last report. */
  async flush(): Promise<void> {
    const final = this.last;
    if (final && final.epoch < final.epochs) {
      this.at = 0;
      await this.report(final, true);
    }
  }
}
