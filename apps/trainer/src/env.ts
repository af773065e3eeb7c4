import { z } from 'zod';
import { DEFAULT_PORTS } from '@mlops/contracts';
import {
  commonEnv,
  dataDirEnv,
  portEnv,
  redisEnv,
  registryClientEnv,
  hostEnv,
} from '@mlops/config';

export const trainerEnvSchema = z.object({
  ...commonEnv,
  ...dataDirEnv,
  ...redisEnv,
  ...registryClientEnv,
  ...hostEnv,
  TRAINER_PORT: portEnv(DEFAULT_PORTS.trainer),
  TRAINER_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  TRAINER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** BullMQ lock of a training job; renewed every half of it (training runs in another thread). */
  TRAINER_LOCK_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  /** How often to look for jobs of dead workers (default: half the lock). */
  TRAINER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(3_600_000).optional(),
  /** Minimum time between two checkpoints of a fit (0 = after every epoch). */
  TRAINER_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(10_000),
  /**
   * On SIGTERM, how long the running fit may take to finish and checkpoint its epoch before its
   * thread is terminated (the job is handed back either way; below Kubernetes' grace period).
   */
  TRAINER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /** Datasets with more rows than this are streamed batch by batch instead of held in memory. */
  TRAINER_STREAM_ROWS: z.coerce.number().int().min(0).default(100_000),
  /**
   * Young generation of each training thread, in MiB (read where threads start:
   * thread/entry.ts; declared here so a bad value stops the trainer at start-up).
   */
  TRAINER_THREAD_YOUNG_GEN_MB: z.coerce.number().int().min(8).max(4_096).default(96),
  /** Jobs a training thread trains before a new one replaces it (thread/pool.ts). */
  TRAINER_THREAD_MAX_JOBS: z.coerce.number().int().min(1).max(100_000).default(100),
  /** A training thread whose heap is larger than this after a job (MiB) is replaced. */
  TRAINER_THREAD_MAX_HEAP_MB: z.coerce.number().int().min(64).max(65_536).default(1_024),
  /**
   * Export each trained model to ONNX, verified on held-out rows, beside its TF.js bundle (read
   * in the training thread: train/onnx.ts; declared here so a bad value stops the trainer).
   */
  TRAINER_ONNX_EXPORT: z.enum(['true', 'false']).default('true'),
  /** Consume the `pipeline` queue (pipeline steps) beside training; `false` leaves it to others. */
  TRAINER_PIPELINES: z.enum(['true', 'false']).default('true'),
  /** Pipeline steps at a time (they mostly wait for training runs and evaluations). */
  TRAINER_PIPELINE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Code revision recorded in model lineage (read directly by `codeRevision`). */
  GIT_REVISION: z.string().max(100).optional(),
});
export type TrainerEnv = z.infer<typeof trainerEnvSchema>;
