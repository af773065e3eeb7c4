import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys, type TrainJobPayload } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { Cancellations } from './cancellations';
import { createTrainProcessor, type ProcessorDeps, type TrainJobResult } from './job';
import { ThreadPool } from './thread/pool';

export interface TrainerWorkerOptions extends Omit<
  ProcessorDeps,
  'cancellations' | 'shutdown' | 'threads'
> {
  /** ioredis connection (with `maxRetriesPerRequest: null`, as BullMQ workers require). */
  connection: Redis;
  redisPrefix: string;
  concurrency?: number;
  logger: Logger;
  /**
   * How long a job's lock lives without renewal (renewed every half of it). A worker that dies
   * mid-fit releases its job this long after its last renewal; default 30 s — renewal never
   * waits on training (see below), so the lock only has to outlast a Redis hiccup.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers; default lockDuration / 2. */
  stalledIntervalMs?: number;
  /** Jobs a training thread trains before it is replaced (thread/pool.ts; default 100). */
  threadMaxJobs?: number;
  /** A training thread whose heap is larger after a job (MiB) is replaced (default 1024). */
  threadMaxHeapMb?: number;
}

export interface TrainerWorker extends Worker<TrainJobPayload, TrainJobResult> {
  /**
   * Graceful stop: the running fit checkpoints after its current epoch and hands the job back
   * (its thread is terminated after `threadGrace.shutdownGraceMs`; the last checkpoint counts).
   */
  shutdown(): Promise<void>;
  /** The training threads waiting, started and ready, for the next jobs (thread/pool.ts). */
  readonly threads: ThreadPool;
}

/**
 * The BullMQ worker of the `train` queue. Each job trains in a worker thread that no other job
 * uses meanwhile (thread/host.ts): model, fit, evaluation and encoding run there, while this
 * thread's event loop does only I/O — lock renewal, `run.cancelled` pub/sub, progress, registry calls. A batch that
 * blocks its thread for minutes (one huge batch, a slow synchronous kernel) therefore cannot
 * delay a lock renewal, and the job is never taken for stalled while its worker lives.
 *
 * A job's thread is started before the job and kept after it when the job left it clean
 * (thread/pool.ts), so a job neither waits for nor pays the CPU of a thread loading the trainer
 * and TF.js; a job that was cancelled, crashed or timed out leaves a new thread to the next.
 *
 * Concurrency defaults to 1: each thread has its own TF.js, but training saturates the cores, so
 * parallel jobs on one machine mostly compete with each other.
 */
export function createTrainerWorker(opts: TrainerWorkerOptions): TrainerWorker {
  const keys = redisKeys(opts.redisPrefix);
  // Pub/sub needs a connection of its own.
  const subscriber = opts.connection.duplicate();
  subscriber.on('error', (err) => opts.logger.warn({ err: err.message }, 'event subscriber error'));
  const cancellations = new Cancellations(subscriber, keys.events, opts.logger);
  const stopping = new AbortController();
  // Started now, so the first job does not wait for a thread either.
  const threads = new ThreadPool({
    backend: opts.backend,
    logger: opts.logger,
    keep: opts.concurrency ?? 1,
    ...(opts.threadMaxJobs ? { maxJobs: opts.threadMaxJobs } : {}),
    ...(opts.threadMaxHeapMb ? { maxHeapMb: opts.threadMaxHeapMb } : {}),
    ...(opts.threadEntry ? { entry: opts.threadEntry } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  threads.start();
  const processor = createTrainProcessor({
    ...opts,
    cancellations,
    shutdown: stopping.signal,
    threads,
  });
  const lockDuration = opts.lockDurationMs ?? 30_000;
  const worker = new Worker<TrainJobPayload, TrainJobResult>(QUEUE_NAMES.train, processor, {
    connection: opts.connection,
    prefix: keys.bullPrefix,
    concurrency: opts.concurrency ?? 1,
    lockDuration,
    stalledInterval: opts.stalledIntervalMs ?? Math.max(1_000, Math.floor(lockDuration / 2)),
    // A job whose worker died once is retried; twice means it kills workers (e.g. out of memory).
    maxStalledCount: 2,
    autorun: true,
  }) as TrainerWorker;
  Object.assign(worker, { threads });
  cancellations.start().catch((err: unknown) => {
    opts.logger.error({ err }, 'could not subscribe to run events: cancel is noticed late');
  });
  worker.on('failed', (job, err) => {
    opts.logger.warn(
      { jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message },
      'train job failed',
    );
  });
  // Without a listener an 'error' event (e.g. Redis connection lost) would crash the process.
  worker.on('error', (err) => {
    opts.logger.error({ err: err.message }, 'train worker error');
  });
  worker.on('closed', () => {
    void cancellations.close();
    void threads.close();
  });
  worker.shutdown = async () => {
    stopping.abort();
    // No job takes a waiting thread now: they go at once, the running job's at its checkpoint.
    await Promise.all([threads.close(), worker.close()]);
  };
  return worker;
}
