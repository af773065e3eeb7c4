import { z } from 'zod';
import { columnNameSchema, idSchema, isoDateSchema, resourceNameSchema } from './names';

export const taskSchema = z.enum(['classification', 'regression']);
export type Task = z.infer<typeof taskSchema>;

/**
 * Model presets the trainer knows. Each is a family of architectures whose size the
 * hyperparameters tune; new presets are added in `packages/ml/src/presets`.
 */
export const modelPresetSchema = z.enum(['mlp-small', 'mlp-medium', 'linear', 'cnn-small']);
export type ModelPreset = z.infer<typeof modelPresetSchema>;

export const backendNameSchema = z.enum(['tensorflow', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof backendNameSchema>;

export const hyperparametersSchema = z.object({
  epochs: z.number().int().min(1).max(10_000).default(100),
  batchSize: z.number().int().min(1).max(65_536).default(32),
  learningRate: z.number().positive().max(10).default(0.01),
  /** Units per hidden layer; overrides the preset's default when given. */
  hiddenUnits: z.array(z.number().int().min(1).max(4096)).max(16).optional(),
  dropout: z.number().min(0).max(0.9).default(0),
  l2: z.number().min(0).max(1).default(0),
  /** Stop when validation loss has not improved for this many epochs (0 = never). */
  earlyStoppingPatience: z.number().int().min(0).max(1000).default(10),
  /** Share of rows held out for the final evaluation. */
  testFraction: z.number().gt(0).lt(0.9).default(0.2),
  /** Share of the remaining training rows used for early stopping. */
  validationFraction: z.number().min(0).lt(0.9).default(0.1),
  /**
   * Image shape `[height, width, channels]` of the encoded feature vector, for the `cnn-small`
   * preset: the preprocessed features (in column order) are reshaped to it, so its product must
   * equal the encoded input width. Default: `[1, inputWidth, 1]` (a 1-D signal).
   */
  inputShape: z.array(z.number().int().min(1).max(4096)).length(3).optional(),
});
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;
export type HyperparametersInput = z.input<typeof hyperparametersSchema>;

/** What a user asks for when starting a training run. */
export const trainingSpecSchema = z.object({
  modelName: resourceNameSchema,
  /** Dataset by name (latest version) or by name and version. */
  dataset: z.object({
    name: resourceNameSchema,
    version: z.number().int().positive().optional(),
  }),
  task: taskSchema,
  target: columnNameSchema,
  /** Feature columns; default: every column except the target. */
  features: z.array(columnNameSchema).min(1).max(2_000).optional(),
  preset: modelPresetSchema.default('mlp-small'),
  hyperparameters: hyperparametersSchema.default(hyperparametersSchema.parse({})),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  /** Backend request; `auto` picks the fastest importable one. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
});
export type TrainingSpec = z.infer<typeof trainingSpecSchema>;
export type TrainingSpecInput = z.input<typeof trainingSpecSchema>;

export const runStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** Numbers a run or a version reports; keys such as accuracy, macro_f1, log_loss, rmse, mae, r2. */
export const metricsSchema = z.record(z.string().max(64), z.number());
export type Metrics = z.infer<typeof metricsSchema>;

/** The last training checkpoint of a run (model + optimizer state), a blob in the artifact store. */
export const runCheckpointSchema = z.object({
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  size: z.number().int().nonnegative(),
  /** Number of epochs completed when it was taken. */
  epoch: z.number().int().nonnegative(),
});
export type RunCheckpoint = z.infer<typeof runCheckpointSchema>;

export const runProgressSchema = z.object({
  epoch: z.number().int().nonnegative(),
  epochs: z.number().int().positive(),
  loss: z.number().nullable(),
  valLoss: z.number().nullable(),
  samplesPerSecond: z.number().nonnegative().nullable(),
  /** Where a restarted job resumes from; the registry deletes the blob it replaces. */
  checkpoint: runCheckpointSchema.optional(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

export const runSchema = z.object({
  id: idSchema,
  modelName: resourceNameSchema,
  spec: trainingSpecSchema,
  /** The dataset version the run resolved to when it was created. */
  datasetId: idSchema,
  datasetHash: z.string(),
  status: runStatusSchema,
  progress: runProgressSchema.nullable(),
  metrics: metricsSchema,
  backend: backendNameSchema.nullable(),
  error: z.string().nullable(),
  /** Version registered by this run, once completed. */
  modelVersion: z.number().int().positive().nullable(),
  createdAt: isoDateSchema,
  startedAt: isoDateSchema.nullable(),
  finishedAt: isoDateSchema.nullable(),
});
export type Run = z.infer<typeof runSchema>;
