import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, redisKeys, type EvaluateJobPayload } from '@mlops/contracts';
import {
  createEvaluateProcessor,
  type EvaluateJobResult,
  type EvaluateProcessorDeps,
} from './processor';

/** The BullMQ worker of the `evaluate` queue (one evaluation at a time, beside training). */
export function createEvaluateWorker(
  opts: EvaluateProcessorDeps & { connection: Redis; redisPrefix: string },
): Worker<EvaluateJobPayload, EvaluateJobResult> {
  const worker = new Worker<EvaluateJobPayload, EvaluateJobResult>(
    QUEUE_NAMES.evaluate,
    createEvaluateProcessor(opts),
    {
      connection: opts.connection,
      prefix: redisKeys(opts.redisPrefix).bullPrefix,
      concurrency: 1,
      autorun: true,
    },
  );
  worker.on('error', (err) => opts.logger.error({ err: err.message }, 'evaluate worker error'));
  return worker;
}
