import { z } from 'zod';
import { DEFAULT_PORTS } from '@mlops/contracts';
import {
  commonEnv,
  dataDirEnv,
  hostEnv,
  parseEnv,
  portEnv,
  redisEnv,
  registryClientEnv,
} from '@mlops/config';

const positiveInt = z.coerce.number().int().positive();

export const monitorEnvSchema = z.object({
  ...commonEnv,
  ...dataDirEnv,
  ...redisEnv,
  ...registryClientEnv,
  ...hostEnv,
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
});
export type MonitorEnv = z.infer<typeof monitorEnvSchema>;

export function loadEnv(env: Record<string, string | undefined> = process.env): MonitorEnv {
  return parseEnv(monitorEnvSchema, env);
}
