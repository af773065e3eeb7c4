import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys, type TrainJobPayload } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { Cancellations } from './cancellations';
import { createTrainProcessor, type ProcessorDeps, type TrainJobResult } from './job';
import { SpareThread } from './thread/spare';

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
}

export interface TrainerWorker extends Worker<TrainJobPayload, TrainJobResult> {
  /**
   * Graceful stop: the running fit checkpoints after its current epoch and hands the job back
   * (its thread is terminated after `threadGrace.shutdownGraceMs`; the last checkpoint counts).
   */
  shutdown(): Promise<void>;
  /** The training thread waiting, started and ready, for the next job (thread/spare.ts). */
  readonly spare: SpareThread;
}

/**
 * The BullMQ worker of the `train` queue. Each job trains in a worker thread of its own
 * (thread/host.ts): model, fit, evaluation and encoding run there, while this thread's event loop
 * does only I/O — lock renewal, `run.cancelled` pub/sub, progress, registry calls. A batch that
 * blocks its thread for minutes (one huge batch, a slow synchronous kernel) therefore cannot
 * delay a lock renewal, and the job is never taken for stalled while its worker lives.
 *
 * A job's thread is started before the job: the worker keeps one spare thread ready
 * (thread/spare.ts), so a job does not wait the second a thread takes to load TF.js.
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
  const spare = new SpareThread({
    backend: opts.backend,
    logger: opts.logger,
    ...(opts.threadEntry ? { entry: opts.threadEntry } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  spare.start();
  const processor = createTrainProcessor({
    ...opts,
    cancellations,
    shutdown: stopping.signal,
    threads: spare,
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
  Object.assign(worker, { spare });
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
    void spare.close();
  });
  worker.shutdown = async () => {
    stopping.abort();
    // No job will take the spare now: it goes at once, the running job at its checkpoint.
    await Promise.all([spare.close(), worker.close()]);
  };
  return worker;
}
