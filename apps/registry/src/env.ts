import { z } from 'zod';
import { DEFAULT_PORTS } from '@mlops/contracts';
import { commonEnv, dataDirEnv, hostEnv, parseEnv, portEnv, redisEnv } from '@mlops/config';

export const registryEnvSchema = z.object({
  ...commonEnv,
  ...dataDirEnv,
  ...redisEnv,
  ...hostEnv,
  REGISTRY_PORT: portEnv(DEFAULT_PORTS.registry),
  /** Admin bearer token; when unset one is generated into the data directory. */
  MLOPS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Largest accepted dataset or blob upload, in bytes (default 1 GiB). */
  REGISTRY_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3),
  GIT_REVISION: z.string().max(100).optional(),
});
export type RegistryEnv = z.infer<typeof registryEnvSchema>;

export function loadEnv(env: Record<string, string | undefined> = process.env): RegistryEnv {
  return parseEnv(registryEnvSchema, env);
}
