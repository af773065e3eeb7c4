import { z } from 'zod';
import { columnNameSchema, idSchema, isoDateSchema } from './names';

/**
 * Model tests (issue #19): what the platform itself checks of a version before it may be
 * promoted — baselines on the same held-out split and the version's lift over them, per-slice
 * metrics, calibration, a replay of recorded examples through the saved bundle, size and latency
 * budgets, and the behavioural tests a user declares with the run (`spec.tests`). The trainer
 * computes them at registration on the split it controls and reports them with `runs.complete`
 * (scope `train`); the registry stores them as version state and a promotion policy can require
 * them (`requireModelTests`, `minBaselineLift`).
 */

const cellSchema = z.union([z.number().finite(), z.string().max(1_000), z.boolean(), z.null()]);
const rowSchema = z.record(columnNameSchema, cellSchema);
const testNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');

/** Changing `feature` to each of `values` must not change the label (or the output by more than `tolerance`). */
const invarianceSchema = z
  .object({
    kind: z.literal('invariance'),
    name: testNameSchema,
    feature: columnNameSchema,
    values: z.array(cellSchema).min(1).max(50),
    /** Regression only: the largest change allowed, in the target's units (default 0). */
    tolerance: z.number().nonnegative().default(0),
    /** Held-out rows perturbed (the first ones of the split). */
    rows: z.number().int().positive().max(500).default(50),
    /** Share of rows that must hold (default all). */
    minPassRate: z.number().min(0).max(1).default(1),
  })
  .strict();

/** Increasing `feature` by `delta` must not decrease (or, with `decrease`, increase) the output. */
const directionalSchema = z
  .object({
    kind: z.literal('directional'),
    name: testNameSchema,
    feature: columnNameSchema,
    delta: z.number().finite().positive(),
    direction: z.enum(['increase', 'decrease']),
    /** Classifiers: the class whose probability is the output (required for them). */
    label: z.string().max(200).optional(),
    tolerance: z.number().nonnegative().default(0),
    rows: z.number().int().positive().max(500).default(50),
    minPassRate: z.number().min(0).max(1).default(1),
  })
  .strict();

/** These rows must be predicted so: a label, or a number within `tolerance`. */
const minimumFunctionalitySchema = z
  .object({
    kind: z.literal('minimum_functionality'),
    name: testNameSchema,
    cases: z
      .array(z.object({ row: rowSchema, expect: z.union([z.string().max(200), z.number()]) }))
      .min(1)
      .max(100),
    tolerance: z.number().nonnegative().default(0),
    minPassRate: z.number().min(0).max(1).default(1),
  })
  .strict();

export const behaviouralTestSchema = z.discriminatedUnion('kind', [
  invarianceSchema,
  directionalSchema,
  minimumFunctionalitySchema,
]);
export type BehaviouralTest = z.infer<typeof behaviouralTestSchema>;
export type BehaviouralTestInput = z.input<typeof behaviouralTestSchema>;

/**
 * The test file versioned with the model (`spec.tests`, e.g. `mlops train --tests tests.json`):
 * declared behavioural tests and the bounds the platform's own tests use.
 */
export const modelTestsSpecSchema = z
  .object({
    behavioural: z.array(behaviouralTestSchema).max(50).default([]),
    /** A slice is flagged when its score is this far below the whole (accuracy, or r2-like). */
    sliceMaxDrop: z.number().min(0).max(1).default(0.1),
    /** Slices with fewer held-out rows are listed but never flagged. */
    sliceMinRows: z.number().int().positive().max(100_000).default(10),
    /** Classifiers: the largest expected calibration error that passes. */
    maxCalibrationError: z.number().min(0).max(1).default(0.15),
    /** The model files' total size, in bytes. */
    maxModelBytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),
    /** Median time to predict one row in the trainer, in milliseconds. */
    maxLatencyMs: z.number().positive().max(60_000).default(100),
  })
  .strict();
export type ModelTestsSpec = z.infer<typeof modelTestsSpecSchema>;
export type ModelTestsSpecInput = z.input<typeof modelTestsSpecSchema>;

export const MODEL_TEST_KINDS = [
  'baseline',
  'slice',
  'calibration',
  'replay',
  'budget',
  'invariance',
  'directional',
  'minimum_functionality',
] as const;
export const modelTestKindSchema = z.enum(MODEL_TEST_KINDS);
export type ModelTestKind = z.infer<typeof modelTestKindSchema>;

/** One test's outcome: the number measured, the bound it had to meet and why it passed or not. */
export const modelTestResultSchema = z.object({
  name: z.string().min(1).max(200),
  kind: modelTestKindSchema,
  passed: z.boolean(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  detail: z.string().max(1_000),
});
export type ModelTestResult = z.infer<typeof modelTestResultSchema>;

export const baselineResultSchema = z.object({
  /** `majority` (class prior) or `mean`; `logistic` or `linear` (fitted on the training split). */
  name: z.enum(['majority', 'mean', 'logistic', 'linear']),
  /** The metric compared: accuracy for classifiers, r2 for regression. */
  metric: z.enum(['accuracy', 'r2']),
  value: z.number(),
  /** The version's value minus the baseline's. */
  lift: z.number(),
  logLoss: z.number().nullable(),
});
export type BaselineResult = z.infer<typeof baselineResultSchema>;

export const sliceResultSchema = z.object({
  feature: z.string(),
  /** `setosa`, or a numeric bin such as `[4.3, 5.1)`. */
  slice: z.string().max(200),
  rows: z.number().int().nonnegative(),
  /** accuracy (classifiers) or r2 (regression, null below two distinct targets). */
  score: z.number().nullable(),
  flagged: z.boolean(),
});
export type SliceResult = z.infer<typeof sliceResultSchema>;

export const reliabilityBinSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  count: z.number().int().nonnegative(),
  confidence: z.number().nullable(),
  accuracy: z.number().nullable(),
});

export const modelTestsSchema = z.object({
  results: z.array(modelTestResultSchema).max(500),
  /** The strongest baseline's lift (greater is better), null when none could be computed. */
  baselineLift: z.number().nullable(),
  baselines: z.array(baselineResultSchema).max(4),
  slices: z.array(sliceResultSchema).max(200),
  calibration: z
    .object({ ece: z.number(), bins: z.array(reliabilityBinSchema).max(50) })
    .nullable(),
  /** Held-out rows the tests ran on. */
  rows: z.number().int().nonnegative(),
});
export type ModelTests = z.infer<typeof modelTestsSchema>;

/** Model tests as stored on a version: what the trainer reported, and for which run. */
export const versionModelTestsSchema = modelTestsSchema.extend({
  source: z.object({ kind: z.literal('run'), runId: idSchema }),
  recordedAt: isoDateSchema,
  recordedBy: z.string(),
});
export type VersionModelTests = z.infer<typeof versionModelTestsSchema>;

export function testCounts(tests: Pick<ModelTests, 'results'>): { passed: number; failed: number } {
  const failed = tests.results.filter((r) => !r.passed).length;
  return { passed: tests.results.length - failed, failed };
}
