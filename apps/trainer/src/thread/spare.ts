import type { Logger } from '@mlops/config';
import type { BackendRequest } from '@mlops/ml/backend';
import type { TrainerMetrics } from '../metrics';
import { TrainingThread, type ThreadSource } from './training-thread';

export interface SpareThreadOptions {
  /** The worker's default backend (TRAINER_BACKEND): the one most jobs ask for. */
  backend: BackendRequest;
  /** The thread's program (default: thread/train.thread); tests wrap it. */
  entry?: URL;
  logger: Logger;
  metrics?: Pick<TrainerMetrics, 'threadStarts'>;
}

/**
 * One training thread started ahead of the job that will use it. Starting a thread (its module
 * graph, then the TF.js backend) takes about a second, which every job paid before it could
 * train; the spare pays it while the worker waits for work. A job still gets a thread of its
 * own — the spare is handed over, never shared — so a crashed or terminated thread never serves
 * another job.
 *
 * The next spare starts once the job's thread has ended, not when the job takes this one: two
 * threads at once cost the trainer ~100 MiB more peak memory (two TF.js heaps) and the second
 * start-up's CPU would be taken from the fit. A job that follows at once (a backlog) then takes
 * a spare still starting, which is never slower than starting its own.
 */
export class SpareThread implements ThreadSource {
  private spare: TrainingThread | undefined;
  private closed = false;

  constructor(private readonly opts: SpareThreadOptions) {}

  /** Start a spare unless one is waiting (or the worker is closing). */
  start(): void {
    if (this.closed || this.spare) return;
    try {
      const thread = new TrainingThread(this.opts.backend, this.opts.entry);
      // Waiting for a job is not work: an idle spare must not keep the process alive.
      thread.worker.unref();
      thread.worker.once('exit', (code) => this.onExit(thread, code));
      this.spare = thread;
    } catch (err) {
      // E.g. the thread's program is missing: each job then fails starting its own, saying so.
      this.opts.logger.error({ err }, 'could not start a spare training thread');
    }
  }

  /**
   * A thread for a job asking for `backend`: the spare when it was started for that backend
   * (ready, or still starting — never slower than a new one), else a new thread, the spare then
   * kept for the next job. A spare that died while waiting is never handed out. When the job's
   * thread has ended, a spare is started unless one waits.
   */
  take(backend: BackendRequest): TrainingThread {
    const spare = this.spare;
    let thread: TrainingThread;
    if (spare?.alive && spare.serves(backend)) {
      this.spare = undefined;
      thread = spare;
    } else {
      thread = new TrainingThread(backend, this.opts.entry);
    }
    this.opts.metrics?.threadStarts.inc({ warm: thread.backend ? 'true' : 'false' });
    thread.worker.once('exit', () => this.start());
    return thread;
  }

  /** True once the waiting spare is ready; false when there is none or it died starting. */
  async ready(): Promise<boolean> {
    const spare = this.spare;
    return spare !== undefined && (await spare.started) !== undefined && spare.alive;
  }

  /** The spare waiting for a job, if any (observability and tests). */
  get waiting(): TrainingThread | undefined {
    return this.spare;
  }

  /** Stop for good: the waiting spare is terminated and no other is started. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    await spare?.terminate();
  }

  private onExit(thread: TrainingThread, code: number): void {
    // A thread that was taken belongs to its job, which handles the exit.
    if (this.spare !== thread) return;
    this.spare = undefined;
    if (this.closed) return;
    // One that died before it was ready would most likely die again: the next job starts its
    // own thread (and so learns why), and a spare is started after it.
    const replace = thread.backend !== undefined;
    this.opts.logger.warn({ code, replaced: replace }, 'spare training thread exited while idle');
    if (replace) this.start();
  }
}
