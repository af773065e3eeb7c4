import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { TalliedCounter } from './tallied-counter';
import { TalliedHistogram } from './tallied-histogram';

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
    // Counted on every prediction: tallied (tallied-counter.ts).
    requests: new TalliedCounter({
      name: 'serving_requests_total',
      help: 'Predict requests by model and HTTP status',
      labelNames: ['model', 'status'] as const,
      registers,
    }),
    // Triton's names, with our prefix: success/failure per model+version, inference count
    // (rows) vs execution count (batched predict calls): their ratio is the mean batch size.
    success: new TalliedCounter({
      name: 'serving_inference_request_success_total',
      help: 'Inference requests answered with predictions, by model, version and protocol',
      labelNames: ['model', 'version', 'protocol'] as const,
      registers,
    }),
    failure: new Counter({
      name: 'serving_inference_request_failure_total',
      help: 'Inference requests that reached a model and failed (bad rows, timeout, queue full, error)',
      labelNames: ['model', 'version', 'protocol', 'reason'] as const,
      registers,
    }),
    inferenceRows: new Counter({
      name: 'serving_inference_count_total',
      help: 'Rows run through a model (Triton nv_inference_count)',
      labelNames: ['model', 'version'] as const,
      registers,
    }),
    batches: new Counter({
      name: 'serving_inference_exec_count_total',
      help: 'Batched predict calls (Triton nv_inference_exec_count; count / this = mean batch size)',
      labelNames: ['model', 'version'] as const,
      registers,
    }),
    queueSeconds: new TalliedHistogram({
      name: 'serving_queue_seconds',
      help: 'Time a request waited for its batch to start',
      labelNames: ['model', 'version'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    computeSeconds: new TalliedHistogram({
      name: 'serving_compute_seconds',
      help: 'Time one batch spent in encode + predict + decode',
      labelNames: ['model', 'version'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    loadedVersions: new Gauge({
      name: 'serving_loaded_versions',
      help: 'Model versions loaded in memory (1 per loaded version; followed or explicitly addressed)',
      labelNames: ['model', 'version'] as const,
      registers,
    }),
    versionRuntime: new Gauge({
      name: 'serving_version_runtime_threads',
      help: 'One series per loaded version and its runtime (tfjs or onnx); the value is ONNX Runtime intra-op threads (0 on TF.js)',
      labelNames: ['model', 'version', 'runtime'] as const,
      registers,
    }),
    shadowComparisons: new Counter({
      name: 'serving_shadow_rows_total',
      help: 'Rows mirrored to a shadow version, by whether its output agreed with the primary',
      labelNames: ['model', 'primary_version', 'shadow_version', 'agree'] as const,
      registers,
    }),
    canaryRequests: new Counter({
      name: 'serving_canary_requests_total',
      help: 'Requests routed by a weighted split, by the alias they went to',
      labelNames: ['model', 'alias'] as const,
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
    authRefusals: new Counter({
      name: 'serving_auth_refusals_total',
      help: 'Requests refused before their body was read: no, bad or revoked token, or a missing scope',
      labelNames: ['access'] as const,
      registers,
    }),
    outOfRangeInputs: new Counter({
      name: 'serving_out_of_range_inputs_total',
      help: 'Numeric inputs far outside the range the version was trained on (flagged, still answered)',
      labelNames: ['model', 'version', 'feature'] as const,
      registers,
    }),
    // Data quality (docs/monitoring.md): counted whether the row was answered or refused.
    unknownCategories: new Counter({
      name: 'serving_unknown_categories_total',
      help: 'Categorical inputs whose value the version does not know (SERVING_UNKNOWN_CATEGORY decides: refused, imputed or answered)',
      labelNames: ['model', 'version', 'feature'] as const,
      registers,
    }),
    outsideTrainingRange: new Counter({
      name: 'serving_outside_training_range_total',
      help: "Numeric inputs outside the [min, max] of the version's training profile (answered)",
      labelNames: ['model', 'version', 'feature'] as const,
      registers,
    }),
    unservedVersions: new Counter({
      name: 'serving_unpromoted_version_refusals_total',
      help: 'Requests for a version no alias points at, refused (SERVING_ALLOW_UNPROMOTED=false)',
      labelNames: ['model'] as const,
      registers,
    }),
  };
}
