import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys, type PipelineJobPayload } from '@mlops/contracts';
import { createPipelineProcessor, type PipelineProcessorDeps } from './processor';

/**
 * The BullMQ worker of the `pipeline` queue, beside the train worker. Steps mostly wait on
 * other queues (a train step waits for its training run), so several run at once; the lock
 * is renewed by BullMQ while a step waits, and a worker that dies hands its steps back after
 * the stalled interval.
 */
export function createPipelineWorker(
  opts: PipelineProcessorDeps & {
    connection: Redis;
    redisPrefix: string;
    concurrency?: number;
    stalledIntervalMs?: number;
    lockDurationMs?: number;
  },
): Worker<PipelineJobPayload, { action: string }> {
  const worker = new Worker<PipelineJobPayload, { action: string }>(
    QUEUE_NAMES.pipeline,
    createPipelineProcessor(opts),
    {
      connection: opts.connection,
      prefix: redisKeys(opts.redisPrefix).bullPrefix,
      concurrency: opts.concurrency ?? 4,
      autorun: true,
      ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    },
  );
  worker.on('error', (err) => opts.logger.error({ err: err.message }, 'pipeline worker error'));
  return worker;
}
