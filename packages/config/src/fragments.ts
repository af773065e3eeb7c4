import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PORTS } from '@mlops/contracts';
import { booleanFromEnv, portSchema } from './env';
import { serverEnv } from './http-limits';

/**
 * Shared fragments of every app's environment schema. Each app spreads the ones it uses into
 * its own `env.ts` schema, so every variable is documented and parsed in one place.
 */
export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
};

export const dataDirEnv = {
  /** Root of embedded state: SQLite file, filesystem artifacts, generated admin token. */
  MLOPS_DATA_DIR: z
    .string()
    .default('.mlops')
    .transform((dir) => path.resolve(dir)),
};

export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key, channel and queue of this deployment. */
  MLOPS_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of letters, digits, ":", "_" or "-"')
    .default('mlops'),
};

export const registryClientEnv = {
  REGISTRY_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.registry}`),
  /** Bearer token for mutating calls to the registry. */
  MLOPS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
};

/** Listen address, timeouts and per-client connection cap of an app's HTTP server. */
export const hostEnv = serverEnv;

export function portEnv(defaultPort: number) {
  return portSchema.default(defaultPort);
}

/**
 * Who may read. By default every read (registry state, monitor reports, predictions) needs a
 * token with the scope for it; `MLOPS_PUBLIC_READS=true` opens reads to anyone who can reach the
 * service — for a laptop, never for a network.
 */
export const accessEnv = {
  MLOPS_PUBLIC_READS: booleanFromEnv.default(false),
};

/**
 * Serving and the monitor verify their callers' tokens with the registry (`auth.whoami`) and
 * reuse each answer this long: a revoked token keeps working at most this long on them.
 */
export const callerAuthEnv = {
  MLOPS_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
};
