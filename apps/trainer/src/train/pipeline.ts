import {
  AppError,
  type DataRow,
  type DatasetProfile,
  type DatasetSchema,
  type Metrics,
  type ModelTests,
  type Preprocessing,
  type Signature,
  type TrainingSpec,
} from '@mlops/contracts';
import { buildModel, disposeModel } from '@mlops/ml/presets';
import { encodeFeatures, encodeTargets, fitPreprocessing } from '@mlops/ml/preprocessing';
import { profileRows } from '@mlops/ml/profile';
import { resolveColumns } from './columns';
import type { OnnxOutcome } from './onnx';
import { fitModel, type EpochReport, type FitOptions, type FitResult, type Matrix } from './fit';
import { packageResult } from './package-result';
import { splitRows } from './split';

export interface TrainInput {
  spec: TrainingSpec;
  schema: DatasetSchema;
  rows: readonly DataRow[];
  onEpochEnd?: (report: EpochReport) => Promise<void> | void;
  /** Resume, checkpoint, cancel and interrupt hooks, handed to `fitModel` as they are. */
  control?: Pick<FitOptions, 'resume' | 'checkpoint' | 'signal' | 'interrupt'>;
}

export interface TrainOutput {
  /**
   * `model.json`, `weights.bin` and `profile.json` (an image run: `drift-reference.json`
   * instead of the profile), ready to upload.
   */
  files: Array<{ path: string; bytes: Uint8Array }>;
  preprocessing: Preprocessing;
  signature: Signature;
  metrics: Metrics;
  /** The platform's model tests on the held-out split (tabular runs trained in memory). */
  modelTests?: ModelTests;
  /** The training split's feature profile (tabular runs; an image run has none yet). */
  profile?: DatasetProfile;
  fit: FitResult;
  sizes: { train: number; validation: number; test: number; dropped: number };
  /**
   * The ONNX export (`model.onnx` is then among the files) and its verification, or why the
   * bundle has none; the host logs it, the manifest records the export.
   */
  onnx?: OnnxOutcome;
  /** Wall seconds of each phase (logged with the run: where a slow run spent its time). */
  seconds?: Partial<Record<'rows' | 'prepare' | 'fit' | 'package', number>>;
  /** Transfer runs: whether the head trained on the frozen base's cached features. */
  cachedFeatures?: { features: boolean; seconds: number };
}

/** Seconds since `start` (a performance.now() reading), to the millisecond. */
export function since(start: number): number {
  return Math.round(performance.now() - start) / 1000;
}

export { PROFILE_JSON } from './package-result';

function matrix(prep: Preprocessing, rows: readonly DataRow[]): Matrix {
  return { x: encodeFeatures(prep, rows), y: encodeTargets(prep, rows), rows: rows.length };
}

/**
 * The whole training of one run, without I/O: split, fit the preprocessing on the training split
 * only, train, evaluate on the held-out split, serialize. Uses whatever TF.js backend is active;
 * every tensor it creates is disposed before it returns.
 */
export async function trainPipeline(input: TrainInput): Promise<TrainOutput> {
  const { spec } = input;
  const hp = spec.hyperparameters;
  const started = performance.now();
  const { features, target } = resolveColumns(spec, input.schema);
  const split = splitRows(input.rows, target, spec.task, hp, spec.seed);
  const prep = fitPreprocessing(features, target, spec.task, split.train);
  const outputWidth = prep.target.kind === 'label-encode' ? prep.target.labels.length : 1;

  if (input.control?.resume) checkResumable(input.control.resume.state.samples, split.train.length);
  const model = buildModel({
    preset: spec.preset,
    task: spec.task,
    inputWidth: prep.inputWidth,
    outputWidth,
    hyperparameters: hp,
    seed: spec.seed,
  });
  try {
    const train = matrix(prep, split.train);
    const validation = split.validation.length > 0 ? matrix(prep, split.validation) : null;
    const prepare = since(started);
    const fitStarted = performance.now();
    const fit = await fitModel(model, train, validation, {
      inputWidth: prep.inputWidth,
      outputWidth,
      epochs: hp.epochs,
      batchSize: hp.batchSize,
      patience: hp.earlyStoppingPatience,
      seed: spec.seed,
      ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
      ...input.control,
    });
    const fitSeconds = since(fitStarted);
    const packageStarted = performance.now();
    const packaged = await packageResult({
      model,
      prep,
      features,
      target,
      test: split.test,
      train: split.train,
      tests: spec.tests,
      profile: () => profileRows(features, split.train, { seed: spec.seed }),
    });
    return {
      ...packaged,
      fit,
      sizes: {
        train: split.train.length,
        validation: split.validation.length,
        test: split.test.length,
        dropped: split.droppedRows,
      },
      seconds: { prepare, fit: fitSeconds, package: since(packageStarted) },
    };
  } finally {
    disposeModel(model);
  }
}

/** A checkpoint only fits the split it was trained on (same data, same seed give the same one). */
export function checkResumable(checkpointRows: number, trainRows: number): void {
  if (checkpointRows !== trainRows) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The run's checkpoint was taken on ${checkpointRows} training rows but the split now has ${trainRows}; cancel the run and start a new one`,
    );
  }
}
