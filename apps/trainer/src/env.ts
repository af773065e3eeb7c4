import { z } from 'zod';
import {
  commonEnv,
  dataDirEnv,
  portEnv,
  redisEnv,
  registryClientEnv,
  hostEnv,
} from '@mlops/config';

/** Port of the trainer's health/metrics server (the platform's apps use 7600-7603). */
export const DEFAULT_TRAINER_PORT = 7604;

export const trainerEnvSchema = z.object({
  ...commonEnv,
  ...dataDirEnv,
  ...redisEnv,
  ...registryClientEnv,
  ...hostEnv,
  TRAINER_PORT: portEnv(DEFAULT_TRAINER_PORT),
  TRAINER_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  TRAINER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Code revision recorded in model lineage (read directly by `codeRevision`). */
  GIT_REVISION: z.string().max(100).optional(),
});
export type TrainerEnv = z.infer<typeof trainerEnvSchema>;
