import { z } from 'zod';
import {
  commonEnv,
  hostEnv,
  parseEnv,
  portEnv,
  redisEnv,
  registryClientEnv,
} from '@mlops/config';
import { DEFAULT_PORTS, aliasNameSchema, resourceNameSchema } from '@mlops/contracts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Comma-separated model names; empty means "serve every model that has the alias". */
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
  SERVING_PORT: portEnv(DEFAULT_PORTS.serving),
  SERVING_MODELS: modelListSchema,
  SERVING_ALIAS: aliasNameSchema.default('champion'),
  SERVING_RECONCILE_MS: positiveInt(30_000),
  SERVING_MAX_BATCH_ROWS: positiveInt(256),
  SERVING_MAX_LATENCY_MS: z.coerce.number().min(0).max(1_000).default(2),
  /** Rows waiting per model beyond which requests get 503 + Retry-After (backpressure). */
  SERVING_MAX_QUEUE_ROWS: positiveInt(16_384),
  SERVING_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(1),
  SERVING_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
  SERVING_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
});

export type ServingEnv = z.infer<typeof servingEnvSchema>;

export function loadServingEnv(env: Record<string, string | undefined> = process.env): ServingEnv {
  return parseEnv(servingEnvSchema, env);
}
