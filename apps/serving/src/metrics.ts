import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { TalliedCounter } from './tallied-counter';
import { TalliedHistogram } from './tallied-histogram';

/** Label used for requests that name no served model, so typos cannot grow label cardinality. */
export const UNKNOWN_MODEL_LABEL = '(unknown)';

/** Seconds: half a millisecond to a second, for the queue and compute histograms. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export type ServingMetrics = ReturnType<typeof createMetrics>;

/**
 * The serving domain metrics. rows / batches gives the mean batch size; queue and compute
 * histograms split latency into "waiting for company" and "the model running".
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // One call per metric: name, help, label names (the registry is the same for all).
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge({ name, help, labelNames, registers });
  const talliedCounter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new TalliedCounter({ name, help, labelNames, registers });
  const talliedHistogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) => new TalliedHistogram({ name, help, labelNames, buckets, registers });

  return {
    registry,
    // Counted on every prediction: tallied (tallied-counter.ts).
    requests: talliedCounter(
      'serving_requests_total',
      'Predict requests by model and HTTP status',
      ['model', 'status'],
    ),
    // Triton's names, with our prefix: success/failure per model+version, inference count
    // (rows) vs execution count (batched predict calls): their ratio is the mean batch size.
    success: talliedCounter(
      'serving_inference_request_success_total',
      'Inference requests answered with predictions, by model, version and protocol',
      ['model', 'version', 'protocol'],
    ),
    failure: counter(
      'serving_inference_request_failure_total',
      'Inference requests that reached a model and failed (bad rows, timeout, queue full, error)',
      ['model', 'version', 'protocol', 'reason'],
    ),
    // Counted on every batch through per-version cells (loader.ts): tallied.
    inferenceRows: talliedCounter(
      'serving_inference_count_total',
      'Rows run through a model (Triton nv_inference_count)',
      ['model', 'version'],
    ),
    batches: talliedCounter(
      'serving_inference_exec_count_total',
      'Batched predict calls (Triton nv_inference_exec_count; count / this = mean batch size)',
      ['model', 'version'],
    ),
    queueSeconds: talliedHistogram(
      'serving_queue_seconds',
      'Time a request waited for its batch to start',
      ['model', 'version'],
      LATENCY_BUCKETS,
    ),
    computeSeconds: talliedHistogram(
      'serving_compute_seconds',
      'Time one batch spent in encode + predict + decode',
      ['model', 'version'],
      LATENCY_BUCKETS,
    ),
    loadedVersions: gauge(
      'serving_loaded_versions',
      'Model versions loaded in memory (1 per loaded version; followed or explicitly addressed)',
      ['model', 'version'],
    ),
    versionRuntime: gauge(
      'serving_version_runtime_threads',
      'One series per loaded version and its runtime (tfjs or onnx); the value is ONNX Runtime intra-op threads (0 on TF.js)',
      ['model', 'version', 'runtime'],
    ),
    shadowComparisons: counter(
      'serving_shadow_rows_total',
      'Rows mirrored to a shadow version, by whether its output agreed with the primary',
      ['model', 'primary_version', 'shadow_version', 'agree'],
    ),
    canaryRequests: counter(
      'serving_canary_requests_total',
      'Requests routed by a weighted split, by the alias they went to',
      ['model', 'alias'],
    ),
    modelVersion: gauge(
      'serving_model_version',
      'Version of each model currently serving (0 = none)',
      ['model'],
    ),
    loadFailures: counter(
      'serving_model_load_failures_total',
      'Failed attempts to resolve, download or load a model version',
      ['model'],
    ),
    preloads: counter(
      'serving_preloads_total',
      'Registered versions loaded ahead of a move (SERVING_PRELOAD), by outcome: loaded, failed or superseded by a newer one',
      ['model', 'outcome'],
    ),
    payloadLogDropped: counter(
      'serving_payload_log_dropped_total',
      'Prediction log entries not written because Redis was unavailable or failed',
      ['model'],
    ),
    authRefusals: counter(
      'serving_auth_refusals_total',
      'Requests refused before their body was read: no, bad or revoked token, or a missing scope',
      ['access'],
    ),
    outOfRangeInputs: counter(
      'serving_out_of_range_inputs_total',
      'Numeric inputs far outside the range the version was trained on (flagged, still answered)',
      ['model', 'version', 'feature'],
    ),
    // Data quality (docs/monitoring.md): counted whether the row was answered or refused.
    unknownCategories: counter(
      'serving_unknown_categories_total',
      'Categorical inputs whose value the version does not know (SERVING_UNKNOWN_CATEGORY decides: refused, imputed or answered)',
      ['model', 'version', 'feature'],
    ),
    outsideTrainingRange: counter(
      'serving_outside_training_range_total',
      "Numeric inputs outside the [min, max] of the version's training profile (answered)",
      ['model', 'version', 'feature'],
    ),
    unservedVersions: counter(
      'serving_unpromoted_version_refusals_total',
      'Requests for a version no alias points at, refused (SERVING_ALLOW_UNPROMOTED=false)',
      ['model'],
    ),
  };
}
