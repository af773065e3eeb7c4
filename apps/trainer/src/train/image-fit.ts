import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type TrainingSpec } from '@mlops/contracts';
import { buildImageModel, disposeModel } from '@mlops/ml/presets';
import { fitModel, type FitOptions, type FitResult, type Matrix } from './fit';
import { fitTransfer, type TransferFit } from './transfer';
import type { TransferBaseBundle } from './transfer-base';

export interface ImageFitInput {
  spec: TrainingSpec;
  /** A transfer run's base (required when spec.transfer is set). */
  base?: TransferBaseBundle;
  classes: number;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
  train: Matrix;
  validation: Matrix | null;
  augment?: FitOptions['augment'];
  onEpochEnd?: FitOptions['onEpochEnd'];
  control?: Pick<FitOptions, 'resume' | 'checkpoint' | 'signal' | 'interrupt'>;
}

export interface ImageFit {
  /** The trained model; the caller disposes it. */
  model: tfTypes.LayersModel;
  fit: FitResult;
  cachedFeatures?: TransferFit['cached'];
}

/**
 * Train the model of an image run: a new head on a registered base (spec.transfer), or the
 * preset's CNN from scratch. Only the CNN checkpoints and resumes: a transfer run trains two
 * models in turn (cached head, then the whole), which one checkpoint format cannot restore.
 */
export async function fitImageModel(input: ImageFitInput): Promise<ImageFit> {
  const { spec, shape } = input;
  const hp = spec.hyperparameters;
  const hooks = {
    ...(input.augment ? { augment: input.augment } : {}),
    ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
  };
  if (spec.transfer) {
    if (!input.base)
      throw new AppError('INTERNAL', 'a transfer run reached the training thread without its base');
    const { signal, interrupt } = input.control ?? {};
    const trained = await fitTransfer({
      base: input.base,
      transfer: spec.transfer,
      hp,
      seed: spec.seed,
      classes: input.classes,
      shape,
      train: input.train,
      validation: input.validation,
      ...hooks,
      control: { ...(signal ? { signal } : {}), ...(interrupt ? { interrupt } : {}) },
    });
    return { model: trained.model, fit: trained.fit, cachedFeatures: trained.cached };
  }
  const model = buildImageModel({
    preset: spec.preset,
    imageShape: shape,
    classes: input.classes,
    hyperparameters: hp,
    seed: spec.seed,
  });
  try {
    const fit = await fitModel(model, input.train, input.validation, {
      inputWidth: shape[0] * shape[1] * shape[2],
      exampleShape: shape,
      outputWidth: input.classes,
      epochs: hp.epochs,
      batchSize: hp.batchSize,
      patience: hp.earlyStoppingPatience,
      seed: spec.seed,
      ...hooks,
      ...input.control,
    });
    return { model, fit };
  } catch (err) {
    disposeModel(model);
    throw err;
  }
}
