import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one trainer process, on its own registry. */
export function createTrainerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    jobsCompleted: new Counter({
      name: 'trainer_jobs_completed_total',
      help: 'Training jobs that registered a model version',
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: 'trainer_jobs_failed_total',
      help: 'Training jobs that failed for good (bad input, or the last attempt)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    trainingDuration: new Histogram({
      name: 'trainer_training_duration_seconds',
      help: 'Wall time of a training job, from pick-up to registered version',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    }),
    threadStarts: new Counter({
      name: 'trainer_thread_starts_total',
      help: 'Training threads given to jobs; warm="true" when the thread was ready before the job (a spare, or one kept from an earlier job)',
      labelNames: ['warm'] as const,
      registers: [registry],
    }),
    threadRetirements: new Counter({
      name: 'trainer_thread_retirements_total',
      help: 'Training threads ended after a job instead of kept for the next, by reason (cancelled, crashed, timed-out, interrupted, failed, leaked-tensors, heap, max-jobs, not-ready, shutdown, surplus)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    samplesPerSecond: new Gauge({
      name: 'trainer_samples_per_second',
      help: 'Training throughput of the last epoch',
      registers: [registry],
    }),
  };
}
export type TrainerMetrics = ReturnType<typeof createTrainerMetrics>;
