import { z } from 'zod';
import { modelTestsSpecSchema } from './model-tests';
import { trainingImageSchema, trainingTransferSchema } from './training-images';
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
  /**
   * Image runs: each epoch, a seeded half of the training images is flipped left-right (the
   * same (seed, epoch) gives the same flips, so a resumed fit sees the same data).
   */
  horizontalFlip: z.boolean().optional(),
  /**
   * Image runs: pad-and-crop. Each epoch every training image is padded by this many pixels on
   * each side (edges mirrored) and a window of its own size is cut at a seeded offset.
   */
  randomCrop: z.number().int().min(1).max(64).optional(),
  /**
   * Image runs: brightness jitter. Each epoch every training image is shifted by a seeded delta
   * in [-b, b] of the full pixel range (0.1 = ±25.5 of 0–255), clipped to that range.
   */
  brightness: z.number().gt(0).max(1).optional(),
});
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;
export type HyperparametersInput = z.input<typeof hyperparametersSchema>;

/** Hyperparameters a sweep may vary (the numeric ones). */
export const sweepableHyperparameterSchema = z.enum([
  'epochs',
  'batchSize',
  'learningRate',
  'dropout',
  'l2',
  'earlyStoppingPatience',
]);
export type SweepableHyperparameter = z.infer<typeof sweepableHyperparameterSchema>;

/** A sweep dimension: explicit values, or a range sampled by `random` (log-uniform if `log`). */
export const sweepDimensionSchema = z.union([
  z.array(z.number()).min(1).max(100),
  z
    .object({ min: z.number(), max: z.number(), log: z.boolean().optional() })
    .refine((r) => r.min <= r.max, 'min must be <= max')
    .refine((r) => !r.log || r.min > 0, 'a log range needs min > 0'),
]);
export type SweepDimension = z.infer<typeof sweepDimensionSchema>;

/**
 * A hyperparameter sweep: one child run (trial) per point of `space`; the best trial by `metric`
 * is registered as the version of the parent run. `grid` runs every combination of the value
 * lists (at most `trials` of them); `random` draws `trials` points, seeded by the spec's seed.
 * At most `parallelism` trials train at the same time, whatever the number of workers.
 */
export const sweepSpecSchema = z.object({
  strategy: z.enum(['grid', 'random']),
  trials: z.number().int().min(1).max(100).default(10),
  parallelism: z.number().int().min(1).max(16).default(2),
  /** A key of the trials' metrics, e.g. accuracy, macro_f1, rmse. */
  metric: z.string().min(1).max(64),
  greaterIsBetter: z.boolean(),
  space: z
    .partialRecord(sweepableHyperparameterSchema, sweepDimensionSchema)
    .refine((s) => Object.keys(s).length > 0, 'name at least one hyperparameter'),
});
export type SweepSpec = z.infer<typeof sweepSpecSchema>;

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
  /** Image datasets only: the size images are decoded to (default DEFAULT_TRAINING_IMAGE). */
  image: trainingImageSchema.optional(),
  /**
   * Image datasets only: start from a registered model instead of a preset (the preset is then
   * ignored). The run's images are decoded as the base declares; `image` must match it.
   */
  transfer: trainingTransferSchema.optional(),
  /** Makes the run a sweep: a parent run whose child runs (trials) vary the hyperparameters. */
  sweep: sweepSpecSchema.optional(),
  /** Model tests' bounds and declared behavioural tests (tabular runs; see model-tests.ts). */
  tests: modelTestsSpecSchema.optional(),
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

/**
 * The rows a run trained on, by split, and the rows it dropped because their target was missing
 * (counted here, not only in the trainer's log).
 */
export const runRowsSchema = z.object({
  train: z.number().int().nonnegative(),
  validation: z.number().int().nonnegative(),
  test: z.number().int().nonnegative(),
  droppedNullTarget: z.number().int().nonnegative(),
});
export type RunRows = z.infer<typeof runRowsSchema>;

/** The losses of one epoch (1-based), as the fit's history has them. */
export const epochLossSchema = z.object({
  epoch: z.number().int().positive(),
  loss: z.number().nullable(),
  valLoss: z.number().nullable(),
});
export type EpochLoss = z.infer<typeof epochLossSchema>;
/** Epochs a run's curve keeps (the hyperparameters' maximum). */
export const MAX_CURVE_EPOCHS = 10_000;
export const runCurveSchema = z.array(epochLossSchema).max(MAX_CURVE_EPOCHS);

/** One trial of a sweep as recorded on its parent run. */
export const sweepTrialSchema = z.object({
  runId: idSchema,
  status: runStatusSchema,
  hyperparameters: hyperparametersSchema,
  metrics: metricsSchema,
  error: z.string().nullable(),
});
export type SweepTrial = z.infer<typeof sweepTrialSchema>;

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
  /** Rows used and dropped, sent by the trainer when it completes (null before, or on old runs). */
  rows: runRowsSchema.nullable().default(null),
  /** Loss and validation loss of every epoch, in order (progress events are throttled; this is not). */
  curve: runCurveSchema.default([]),
  createdAt: isoDateSchema,
  startedAt: isoDateSchema.nullable(),
  finishedAt: isoDateSchema.nullable(),
  /** Set on the trials of a sweep: the sweep's (parent) run. */
  parentRunId: idSchema.nullable().optional(),
  /** Set on a sweep's parent run (by `runs.get`, `runs.list` and `runs.search`): every trial. */
  trials: z.array(sweepTrialSchema).optional(),
});
export type Run = z.infer<typeof runSchema>;
