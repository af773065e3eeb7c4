import type { BackendName } from '@mlops/contracts';
import { AppError } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { BackendRequest } from '@mlops/ml/backend';
import { FitInterrupted } from '../train/epoch-loop';
import type { EpochReport } from '../train/fit';
import type { TrainOutput } from '../train/pipeline';
import {
  ROWS_PER_CHUNK,
  transferables,
  type JobMessage,
  type ThreadError,
  type ThreadMessage,
  type TrainRequest,
} from './protocol';
import { EpochReports } from './epoch-reports';
import { RowChunkWriter } from './rows';
import {
  freshThreads,
  type ThreadEnd,
  type ThreadSource,
  type TrainingThread,
} from './training-thread';

export interface ThreadTrainingOptions {
  backend: BackendRequest;
  /** Once the thread has its backend: start the run and say what to train. */
  start(backend: BackendName): Promise<TrainRequest>;
  /**
   * A fresh pass over the dataset each call: its canonical JSON Lines in blocks of whole lines
   * (as the registry client's `datasetLines` gives them), forwarded to the thread unparsed.
   */
  rows(): AsyncIterable<Uint8Array>;
  /** Store a checkpoint; true when stored. */
  saveCheckpoint(bytes: Uint8Array, epoch: number): Promise<boolean>;
  /**
   * Report an epoch. The fit does not wait for it: calls come one at a time, in order, newest
   * first when they pile up (./epoch-reports.ts), and the training settles only once those it
   * was given are done. A rejection (e.g. the run was cancelled) stops the fit and is the job's
   * error, even when it comes after the last epoch.
   */
  reportEpoch(report: EpochReport): Promise<void>;
  logger: Logger;
  /** Cancel: the fit stops at the end of its batch; the job rejects with the signal's reason. */
  signal: AbortSignal;
  /** Graceful stop: the fit checkpoints its current epoch and rejects with FitInterrupted. */
  shutdown?: AbortSignal;
  /** How long a cancelled thread may take to stop before it is terminated (default 5 s). */
  cancelGraceMs?: number;
  /** How long a shutdown may wait for the epoch to end before terminating (default 10 min). */
  shutdownGraceMs?: number;
  /**
   * Where the thread comes from and goes back to: the worker's pool (thread/pool.ts), which
   * keeps a thread its job left clean for the next job; default a new one, terminated after.
   */
  threads?: ThreadSource;
  /** The program of a new thread; tests substitute one that wraps the real entry. */
  entry?: URL;
}

export interface ThreadTrainingResult {
  backend: BackendName;
  output: TrainOutput;
}

/**
 * Train one run in a worker thread, which no other job uses meanwhile, and settle only once the
 * thread is back in its pool, idle and clean (a finished job leaves nothing running there), or
 * gone: a thread whose job was cancelled, interrupted, crashed, timed out or failed unexpectedly
 * is terminated, so whatever state it was left in never reaches another job.
 */
export function trainInThread(opts: ThreadTrainingOptions): Promise<ThreadTrainingResult> {
  return new Promise((resolve, reject) => new ThreadRun(opts, resolve, reject).start());
}

class ThreadRun {
  private readonly thread: TrainingThread;
  /** This job's number on its thread; every message to the thread carries it. */
  private job = 0;
  private readonly passes = new Map<number, AsyncIterator<Uint8Array>>();
  /** Buffer size of the next chunk: the largest chunk so far and some (growing copies). */
  private chunkBytes = 64 * 1024;
  private backend: BackendName | undefined;
  private settled = false;
  /** Why the host stopped the thread (cancel, or a failed report): the job's error. */
  private stopReason: Error | undefined;
  private lastCheckpoint = 0;
  private timer: NodeJS.Timeout | undefined;
  private deadlineAt = Infinity;
  private readonly reports = new EpochReports(
    (report) => this.opts.reportEpoch(report),
    // Refused by the registry (the run was cancelled or failed elsewhere): stop as a cancel does.
    (err) => this.stop(err),
  );

  constructor(
    private readonly opts: ThreadTrainingOptions,
    private readonly resolve: (result: ThreadTrainingResult) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.thread = (opts.threads ?? freshThreads(opts.entry)).take(opts.backend);
  }

  start(): void {
    const { opts } = this;
    // A spare's `ready` (or its end) came before this job listened: it is replayed here.
    this.job = this.thread.attach({
      message: (msg) => this.onMessage(msg),
      // An uncaught exception or running out of heap kills only the thread: the job fails.
      error: (err) => {
        this.finish(new AppError('INTERNAL', `training thread crashed: ${err.message}`), {
          retire: 'crashed',
        });
      },
      exit: (code) => {
        this.finish(
          new AppError('INTERNAL', `training thread exited (code ${code}) mid-training`),
          { retire: 'crashed' },
        );
      },
    });
    opts.signal.addEventListener('abort', this.onCancel);
    opts.shutdown?.addEventListener('abort', this.onShutdown);
    if (opts.signal.aborted) this.onCancel();
    if (opts.shutdown?.aborted) this.onShutdown();
  }

  private readonly onCancel = () => this.stop(this.opts.signal.reason as Error);

  private readonly onShutdown = () => {
    this.post({ type: 'interrupt' });
    this.deadline(this.opts.shutdownGraceMs ?? 600_000, () => {
      // The last stored checkpoint is what the next worker resumes from.
      return new FitInterrupted(this.lastCheckpoint);
    });
  };

  /** Stop the fit with `reason`, terminating the thread if it does not stop in time. */
  private stop(reason: Error): void {
    if (this.stopReason || this.settled) return;
    this.stopReason = reason;
    this.post({ type: 'cancel' });
    this.deadline(this.opts.cancelGraceMs ?? 5_000, () => reason);
  }

  /** Terminate the thread after `ms` unless it stops first; the sooner of two deadlines wins. */
  private deadline(ms: number, error: () => Error): void {
    const at = Date.now() + ms;
    if (this.timer && this.deadlineAt <= at) return;
    clearTimeout(this.timer);
    this.deadlineAt = at;
    this.timer = setTimeout(() => {
      this.opts.logger.warn({ graceMs: ms }, 'training thread did not stop in time: terminated');
      this.finish(error(), { retire: 'timed-out' });
    }, ms);
  }

  private post(msg: JobMessage, transfer: ArrayBuffer[] = []): void {
    if (!this.settled) this.thread.post({ ...msg, job: this.job }, transfer);
  }

  private onMessage(msg: ThreadMessage): void {
    switch (msg.type) {
      case 'ready':
        this.backend = msg.backend;
        return this.serve(async () => {
          const request = await this.opts.start(msg.backend);
          this.post(
            { type: 'train', request },
            transferables([
              ...(request.resume ? [request.resume] : []),
              ...(request.images ? [request.images.pixels] : []),
              ...(request.base ? request.base.files.map((f) => f.bytes) : []),
            ]),
          );
        });
      case 'rows':
        return this.serve(() => this.serveRows(msg.id, msg.pass));
      case 'checkpoint':
        return this.serve(async () => {
          const ok = await this.opts.saveCheckpoint(msg.bytes, msg.epoch);
          if (ok) this.lastCheckpoint = msg.epoch;
          this.post({ type: 'ack', id: msg.id, ok });
        });
      case 'epoch':
        return this.reports.push(msg.report);
      case 'log':
        this.opts.logger[msg.level](msg.fields, msg.msg);
        return;
      case 'done':
        // A report that failed after the last epoch still fails the job.
        return this.afterReports(() =>
          this.stopReason
            ? [this.stopReason, { retire: 'cancelled' }]
            : [
                { backend: this.backend as BackendName, output: msg.output },
                { health: msg.health },
              ],
        );
      case 'failed':
        return this.afterReports(() => [
          this.revive(msg.error),
          { ...this.retiring(msg.error), ...(msg.health ? { health: msg.health } : {}) },
        ]);
    }
  }

  /**
   * Whether a thread whose fit failed with `error` may train another job: only when it failed
   * by itself with an error it understood (an AppError: a bad spec or dataset), never when it
   * was stopped (cancel, interrupt) or threw something unexpected, which may have left it in
   * any state.
   */
  private retiring(error: ThreadError): ThreadEnd {
    if (error.aborted || this.stopReason) return { retire: 'cancelled' };
    if (error.interruptedAt !== undefined) return { retire: 'interrupted' };
    if (!error.code) return { retire: 'failed' };
    return {};
  }

  /**
   * Settle with `outcome` once the epoch reports the thread posted are delivered: the last
   * epoch's must be on the registry before the job registers a version, and the report of an
   * interrupted fit carries the checkpoint the next worker resumes from. A report that hangs is
   * bounded like a fit that hangs: a cancel or shutdown meanwhile terminates at its deadline.
   */
  private afterReports(outcome: () => [ThreadTrainingResult | Error, ThreadEnd]): void {
    void this.reports.delivered().then(() => this.finish(...outcome()));
  }

  /** Run a host-side step for the thread; its failure stops the training with that error. */
  private serve(step: () => Promise<void>): void {
    step().catch((err: unknown) => this.stop(err instanceof Error ? err : new Error(String(err))));
  }

  private async serveRows(id: number, pass: number): Promise<void> {
    let rows = this.passes.get(pass);
    if (!rows) {
      rows = this.opts.rows()[Symbol.asyncIterator]();
      this.passes.set(pass, rows);
    }
    // Forwarded as the bytes arrive: no row is parsed here, nor held past the next block.
    const chunk = new RowChunkWriter(this.chunkBytes);
    let done = false;
    while (chunk.count < ROWS_PER_CHUNK && !this.settled) {
      const next = await rows.next();
      if (next.done) {
        done = true;
        break;
      }
      chunk.push(next.value);
    }
    if (done) this.passes.delete(pass);
    const bytes = chunk.finish();
    this.chunkBytes = Math.max(this.chunkBytes, Math.ceil(bytes.byteLength * 1.125));
    this.post({ type: 'rows', id, bytes, done }, [bytes.buffer]);
  }

  private revive(error: ThreadError): Error {
    // The thread stopped because we asked: the job ends with our reason (e.g. run cancelled).
    if (error.aborted && this.stopReason) return this.stopReason;
    if (error.interruptedAt !== undefined) return new FitInterrupted(error.interruptedAt);
    if (error.code) return new AppError(error.code, error.message);
    return new AppError('INTERNAL', `training failed: ${error.message}`);
  }

  private finish(outcome: ThreadTrainingResult | Error, end: ThreadEnd): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.opts.signal.removeEventListener('abort', this.onCancel);
    this.opts.shutdown?.removeEventListener('abort', this.onShutdown);
    // Streams left open (a pass cut short) release their connections.
    for (const rows of this.passes.values()) void rows.return?.().catch(() => undefined);
    this.passes.clear();
    const settle = () => (outcome instanceof Error ? this.reject(outcome) : this.resolve(outcome));
    // A graceful shutdown stops the worker: no job follows on this thread.
    const ending: ThreadEnd = this.opts.shutdown?.aborted ? { ...end, retire: 'shutdown' } : end;
    const { threads } = this.opts;
    const released = threads?.release
      ? threads.release(this.thread, ending)
      : this.thread.terminate();
    released.then(settle, settle);
  }
}
