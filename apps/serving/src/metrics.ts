import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Label used for requests that name no served model, so typos cannot grow label cardinality. */
export const UNKNOWN_MODEL_LABEL = '(unknown)';

export type ServingMetrics = ReturnType<typeof createMetrics>;

/**
 * The serving domain metrics. rows / batches gives the mean batch size; queue and compute
 * histograms split latency into "waiting for company" and "the model running".
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  return {
    registry,
    requests: new Counter({
      name: 'serving_requests_total',
      help: 'Predict requests by model and HTTP status',
      labelNames: ['model', 'status'] as const,
      registers,
    }),
    inferenceRows: new Counter({
      name: 'serving_inference_rows_total',
      help: 'Rows run through a model',
      labelNames: ['model'] as const,
      registers,
    }),
    batches: new Counter({
      name: 'serving_batch_executions_total',
      help: 'Batched predict calls (rows_total / this = mean batch size)',
      labelNames: ['model'] as const,
      registers,
    }),
    queueSeconds: new Histogram({
      name: 'serving_queue_seconds',
      help: 'Time a request waited for its batch to start',
      labelNames: ['model'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    computeSeconds: new Histogram({
      name: 'serving_compute_seconds',
      help: 'Time one batch spent in encode + predict + decode',
      labelNames: ['model'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    modelVersion: new Gauge({
      name: 'serving_model_version',
      help: 'Version of each model currently serving (0 = none)',
      labelNames: ['model'] as const,
      registers,
    }),
    loadFailures: new Counter({
      name: 'serving_model_load_failures_total',
      help: 'Failed attempts to resolve, download or load a model version',
      labelNames: ['model'] as const,
      registers,
    }),
    payloadLogDropped: new Counter({
      name: 'serving_payload_log_dropped_total',
      help: 'Prediction log entries not written because Redis was unavailable or failed',
      labelNames: ['model'] as const,
      registers,
    }),
  };
}
