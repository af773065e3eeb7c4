import { Worker, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, redisKeys, type TrainJobPayload } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { createTrainProcessor, type ProcessorDeps, type TrainJobResult } from './job';

export interface TrainerWorkerOptions extends ProcessorDeps {
  /** ioredis connection (with `maxRetriesPerRequest: null`, as BullMQ workers require). */
  connection: ConnectionOptions;
  redisPrefix: string;
  concurrency?: number;
  logger: Logger;
}

/**
 * The BullMQ worker of the `train` queue. Concurrency defaults to 1: TF.js has one global backend
 * and training saturates the cores, so parallel jobs mostly compete with each other.
 */
export function createTrainerWorker(
  opts: TrainerWorkerOptions,
): Worker<TrainJobPayload, TrainJobResult> {
  const processor = createTrainProcessor(opts);
  const worker = new Worker<TrainJobPayload, TrainJobResult>(QUEUE_NAMES.train, processor, {
    connection: opts.connection,
    prefix: redisKeys(opts.redisPrefix).bullPrefix,
    concurrency: opts.concurrency ?? 1,
    autorun: true,
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
  return worker;
}
