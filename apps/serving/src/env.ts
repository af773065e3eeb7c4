import { z } from 'zod';
import {
  accessEnv,
  booleanFromEnv,
  callerAuthEnv,
  commonEnv,
  hostEnv,
  parseEnv,
  portEnv,
  redisEnv,
  registryClientEnv,
} from '@mlops/config';
import { DEFAULT_PORTS, aliasNameSchema, resourceNameSchema } from '@mlops/contracts';
import { UNKNOWN_CATEGORY_MODES } from './inference/data-quality';
import { modelUrisToEnv } from './model-uris-env';
import { routesSchema } from './routing/routes-config';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Comma-separated model names; empty means "serve every model that has the alias". Entries
 * may be `models:/<name>@<alias>` URIs (see model-uris-env.ts).
 */
const modelListSchema = z
  .string()
  .default('')
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(resourceNameSchema));

export const servingEnvSchema = z.object({
  ...commonEnv,
  ...hostEnv,
  ...redisEnv,
  ...registryClientEnv,
  ...accessEnv,
  ...callerAuthEnv,
  SERVING_PORT: portEnv(DEFAULT_PORTS.serving),
  SERVING_MODELS: modelListSchema,
  SERVING_ALIAS: aliasNameSchema.default('champion'),
  SERVING_RECONCILE_MS: positiveInt(30_000),
  SERVING_MAX_BATCH_ROWS: positiveInt(256),
  SERVING_MAX_LATENCY_MS: z.coerce.number().min(0).max(1_000).default(0),
  /** Rows waiting per model beyond which requests get 503 + Retry-After (backpressure). */
  SERVING_MAX_QUEUE_ROWS: positiveInt(16_384),
  SERVING_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(1),
  SERVING_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
  SERVING_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /**
   * Engine of a bundle with a TF.js model and a verified ONNX export: `auto` (ONNX Runtime when
   * the export's verification is within tolerance), `tfjs` or `onnx`. Imported ONNX graphs always
   * run on ONNX Runtime (docs/serving.md).
   */
  SERVING_RUNTIME: z.enum(['auto', 'tfjs', 'onnx']).default('auto'),
  /** ONNX Runtime intra-op threads per loaded version (1: replicas scale out, cores stay free). */
  SERVING_ONNX_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /** Most rows one request may carry (400 above it); bigger inputs belong in batch scoring. */
  SERVING_MAX_REQUEST_ROWS: positiveInt(10_000),
  /**
   * Most values the encoded images of one request may decode to (16M: 64 MiB as float32, ≈ 110
   * images of 224×224×3). A 1 KB JPEG can decode to 150k values, so the body limit alone would
   * let one request ask for gigabytes; checked before decoding.
   */
  SERVING_MAX_REQUEST_VALUES: positiveInt(16 * 1024 * 1024),
  /** A request still queued after this long is answered 503 + Retry-After instead of waiting on. */
  SERVING_REQUEST_TIMEOUT_MS: positiveInt(10_000),
  /** Versions addressed explicitly (by number or by another alias) kept loaded, least recently used out. */
  SERVING_MAX_EXTRA_VERSIONS: positiveInt(4),
  /** How long an explicitly addressed alias (other than SERVING_ALIAS) is trusted before re-resolving. */
  SERVING_ALIAS_TTL_MS: positiveInt(5_000),
  /**
   * How long the version an alias move replaced stays loaded and warm: a move back to it within
   * this time is an instant swap (no download, load or warm-up). 0 frees it at once.
   */
  SERVING_STANDBY_MS: z.coerce.number().int().nonnegative().default(300_000),
  /**
   * On `version.created` of a followed model, load and warm that version as the candidate (kept
   * for SERVING_STANDBY_MS, the newest only): the first move to it swaps at once. Off costs a
   * cold first move; on costs a download and the memory of one version per registration.
   */
  SERVING_PRELOAD: booleanFromEnv.default(true),
  /** Canary splits and shadows, e.g. `iris=champion:90,challenger:10;shadow=challenger` (README). */
  SERVING_ROUTES: routesSchema,
  /** Model answered by MLflow's `POST /invocations` when several are served (else the only one). */
  SERVING_MLFLOW_MODEL: resourceNameSchema.optional(),
  /**
   * Answer `/versions/N` of a version no alias points at. Off by default: a never-promoted
   * version (an experiment, a rejected candidate) is not a service anyone agreed to run.
   */
  SERVING_ALLOW_UNPROMOTED: booleanFromEnv.default(false),
  /**
   * A categorical value the version does not know: `error` (400 naming feature and value),
   * `null` (answered as missing: imputed) or `ignore` (answered as sent: a one-hot of zeros).
   * `error` by default, as for every other value that does not fit the signature: an answer
   * given with full confidence on an input the model never saw is a silent wrong answer.
   */
  SERVING_UNKNOWN_CATEGORY: z.enum(UNKNOWN_CATEGORY_MODES).default('error'),
});

export type ServingEnv = z.infer<typeof servingEnvSchema>;

export function loadServingEnv(env: Record<string, string | undefined> = process.env): ServingEnv {
  return parseEnv(servingEnvSchema, modelUrisToEnv(env));
}
