import { z } from 'zod';
import { DEFAULT_PORTS, embeddingDriftMethodSchema } from '@mlops/contracts';
import {
  accessEnv,
  callerAuthEnv,
  commonEnv,
  dataDirEnv,
  hostEnv,
  parseEnv,
  portEnv,
  redisEnv,
  registryClientEnv,
} from '@mlops/config';
import { webhookEnv } from '@mlops/webhooks';

const positiveInt = z.coerce.number().int().positive();

export const monitorEnvSchema = z.object({
  ...commonEnv,
  ...dataDirEnv,
  ...redisEnv,
  ...registryClientEnv,
  ...hostEnv,
  ...webhookEnv,
  ...accessEnv,
  ...callerAuthEnv,
  MONITOR_PORT: portEnv(DEFAULT_PORTS.monitor),
  /** Rows compared by default (`?window=` overrides per request). */
  MONITOR_WINDOW_SIZE: positiveInt.max(100_000).default(500),
  /** Rows kept per model version: the largest `?window=` a request may ask for. */
  MONITOR_WINDOW_RETAIN: positiveInt.max(200_000).default(5_000),
  /** Model discovery period, and the longest an XREAD blocks before new streams join it. */
  MONITOR_POLL_MS: positiveInt.min(50).default(2_000),
  MONITOR_ALERT_COOLDOWN_MS: z.coerce.number().int().nonnegative().default(60_000),
  MONITOR_P_VALUE_THRESHOLD: z.coerce.number().gt(0).lt(1).optional(),
  MONITOR_DISTANCE_THRESHOLD: z.coerce.number().gt(0).optional(),
  MONITOR_DRIFT_SHARE: z.coerce.number().gt(0).max(1).optional(),
  MONITOR_MIN_ROWS: positiveInt.optional(),
  /** The test of an image input's thumbnail embedding: `mmd` or `share_of_drifted_components`. */
  MONITOR_EMBEDDING_METHOD: embeddingDriftMethodSchema.optional(),
  /** `share_of_drifted_components`: the share of components that makes the embedding drift. */
  MONITOR_EMBEDDING_COMPONENT_SHARE: z.coerce.number().gt(0).max(1).optional(),
  /** `mmd`: permutations of its p-value (cost grows linearly). */
  MONITOR_MMD_PERMUTATIONS: positiveInt.min(20).max(5_000).optional(),
  /** Predictions of a version that form the reference of prediction (output) drift. */
  MONITOR_PREDICTION_BASELINE_ROWS: positiveInt.max(100_000).default(50),
  /** Joined feedback rows live quality is computed on (the most recent). */
  MONITOR_QUALITY_WINDOW: positiveInt.max(100_000).default(500),
  /** Feedback for a prediction served longer ago than this is refused (default 7 days). */
  MONITOR_FEEDBACK_MAX_AGE_MS: positiveInt.default(7 * 24 * 3_600_000),
  /**
   * Models retrained automatically unless switched off through the API: comma-separated names,
   * or `*`. Empty (default): none until a person enables one (PUT /v1/models/:model/retraining).
   */
  MONITOR_RETRAIN_MODELS: z.string().optional(),
  MONITOR_RETRAIN_ON: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['drift', 'quality'])).min(1))
    .optional(),
  MONITOR_RETRAIN_MIN_ACCURACY: z.coerce.number().min(0).max(1).optional(),
  MONITOR_RETRAIN_MAX_RMSE_RATIO: z.coerce.number().gt(0).optional(),
  MONITOR_RETRAIN_MIN_FEEDBACK: positiveInt.optional(),
  MONITOR_RETRAIN_COOLDOWN_MS: z.coerce.number().int().nonnegative().optional(),
  MONITOR_RETRAIN_APPEND_FEEDBACK: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  MONITOR_RETRAIN_ALIAS: z.string().optional(),
  /** JSON per-model overrides of the retraining policy. */
  MONITOR_RETRAIN_POLICIES: z.string().optional(),
  MONITOR_ALERT_WEBHOOK_URL: z.url().optional(),
  /** HMAC key of the webhook signature: the webhook's own, required with the URL. */
  MONITOR_ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});
export type MonitorEnv = z.infer<typeof monitorEnvSchema>;

export function loadEnv(env: Record<string, string | undefined> = process.env): MonitorEnv {
  return parseEnv(monitorEnvSchema, env);
}
