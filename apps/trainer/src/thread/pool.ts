import type { Logger } from '@mlops/config';
import type { BackendRequest } from '@mlops/ml/backend';
import type { TrainerMetrics } from '../metrics';
import { TrainingThread, type ThreadEnd, type ThreadSource } from './training-thread';

/** Jobs a training thread trains before it is replaced, when TRAINER_THREAD_MAX_JOBS is not set. */
export const DEFAULT_THREAD_MAX_JOBS = 100;
/** Heap (MiB) above which a thread is replaced after its job, when TRAINER_THREAD_MAX_HEAP_MB is not set. */
export const DEFAULT_THREAD_MAX_HEAP_MB = 1_024;

export interface ThreadPoolOptions {
  /** The worker's default backend (TRAINER_BACKEND): the one most jobs ask for. */
  backend: BackendRequest;
  /** Idle threads kept at most: the worker's concurrency (default 1). */
  keep?: number;
  /** Jobs a thread trains before it is replaced (default 100). */
  maxJobs?: number;
  /** A thread whose heap is larger than this after a job (MiB) is replaced (default 1024). */
  maxHeapMb?: number;
  /** The thread's program (default: thread/train.thread); tests wrap it. */
  entry?: URL;
  logger: Logger;
  metrics?: Pick<TrainerMetrics, 'threadStarts' | 'threadRetirements'>;
}

/**
 * The training threads of a worker that wait for a job: started ahead of the first, and kept
 * after a job for the next.
 *
 * A fresh thread costs seconds of CPU before it trains — its module graph (transpiled and
 * linked again in every thread when run from source), the TF.js backend, a warm-up fit: in the
 * queue benchmark a one-epoch job took 2.9–3.7 s of trainer CPU with a new thread each, and
 * 0.14–0.24 s on a kept one (docs/benchmarks.md). So a thread whose job ended cleanly is kept and trains the
 * next job: the job that asks for the same backend takes it, ready and warm. It is kept only
 * when nothing of the job can reach the next one:
 *
 * - the job ended by itself — trained, or failed with an error it understood (a bad spec or
 *   dataset); a job that was cancelled, interrupted, crashed, timed out or threw something
 *   unexpected leaves its thread to be terminated (`ThreadEnd.retire`, set by ./host.ts);
 * - no TF.js tensor it made is still alive (the thread counts them against its count before its
 *   first job), and its heap is under `maxHeapMb`;
 * - it has trained fewer than `maxJobs` jobs (what leaks outside tensors and the heap's size —
 *   native memory, fragmentation — is bounded by starting afresh now and then).
 *
 * A thread is never shared: a job has it to itself from `take` until `release`. When a job's
 * thread ends and none waits, a new one is started at once; it loads while the worker waits for
 * work, not while the next job does.
 */
export class ThreadPool implements ThreadSource {
  private readonly idle: TrainingThread[] = [];
  private closed = false;

  constructor(private readonly opts: ThreadPoolOptions) {}

  /** Start a spare unless one waits (or the worker is closing). */
  start(): void {
    if (this.closed || this.idle.length > 0) return;
    try {
      const thread = this.spawn(this.opts.backend);
      // Waiting for a job is not work: an idle thread must not keep the process alive.
      thread.worker.unref();
      this.idle.push(thread);
    } catch (err) {
      // E.g. the thread's program is missing: each job then fails starting its own, saying so.
      this.opts.logger.error({ err }, 'could not start a spare training thread');
    }
  }

  /**
   * A thread for a job asking for `backend`: a waiting one that was started for that backend
   * (ready, or still starting — never slower than a new one), else a new thread, the waiting
   * ones kept for later jobs. A thread that died while waiting is never handed out.
   */
  take(backend: BackendRequest): TrainingThread {
    const at = this.idle.findIndex((t) => t.alive && t.serves(backend));
    const thread = at >= 0 ? this.idle.splice(at, 1)[0] : undefined;
    const taken = thread ?? this.spawn(backend);
    this.opts.metrics?.threadStarts.inc({ warm: taken.backend ? 'true' : 'false' });
    return taken;
  }

  /**
   * The job is done with `thread`: keep it for the next job when it may serve one (see the
   * class), else terminate it. Settles once the thread waits or is gone.
   */
  async release(thread: TrainingThread, end: ThreadEnd): Promise<void> {
    const reason = this.retireReason(thread, end);
    if (reason === undefined) {
      thread.detach();
      this.idle.push(thread);
      return;
    }
    this.opts.metrics?.threadRetirements.inc({ reason });
    this.opts.logger.info(
      { reason, jobs: thread.jobs, ...end.health },
      'training thread ended after its job',
    );
    // Its exit starts a new spare unless one waits.
    await thread.terminate();
  }

  /** The thread waiting for a job, if any (the first of them; observability and tests). */
  get waiting(): TrainingThread | undefined {
    return this.idle[0];
  }

  /** True once a waiting thread is ready; false when none waits or it died starting. */
  async ready(): Promise<boolean> {
    const spare = this.idle[0];
    return spare !== undefined && (await spare.started) !== undefined && spare.alive;
  }

  /** Stop for good: the waiting threads are terminated and no other is started. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((t) => t.terminate()));
  }

  private retireReason(thread: TrainingThread, end: ThreadEnd): string | undefined {
    if (end.retire) return end.retire;
    if (this.closed) return 'shutdown';
    if (!thread.alive) return 'crashed';
    if (!thread.backend || !end.health) return 'not-ready';
    if (end.health.leakedTensors !== 0) return 'leaked-tensors';
    const maxHeap = (this.opts.maxHeapMb ?? DEFAULT_THREAD_MAX_HEAP_MB) * 1024 * 1024;
    if (end.health.heapUsedBytes > maxHeap) return 'heap';
    if (thread.jobs >= (this.opts.maxJobs ?? DEFAULT_THREAD_MAX_JOBS)) return 'max-jobs';
    if (this.idle.length >= (this.opts.keep ?? 1)) return 'surplus';
    return undefined;
  }

  private spawn(backend: BackendRequest): TrainingThread {
    const thread = new TrainingThread(backend, this.opts.entry);
    thread.worker.once('exit', (code) => this.onExit(thread, code));
    return thread;
  }

  private onExit(thread: TrainingThread, code: number): void {
    const at = this.idle.indexOf(thread);
    // A thread that had a job (its job handles the exit) ended: a new one waits for the next.
    if (at < 0) return this.start();
    this.idle.splice(at, 1);
    if (this.closed) return;
    // One that died before it was ready would most likely die again: the next job starts its
    // own thread (and so learns why), and a spare is started after it.
    const replace = thread.backend !== undefined;
    this.opts.logger.warn({ code, replaced: replace }, 'idle training thread exited');
    if (replace) this.start();
  }
}
