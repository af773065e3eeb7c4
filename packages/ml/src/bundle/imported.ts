import type * as tfTypes from '@tensorflow/tfjs';
import {
  AppError,
  type Column,
  type ErrorDetail,
  type FeatureTransform,
  type Preprocessing,
  type Signature,
} from '@mlops/contracts';
import { getTf } from '../backend/backend';
import type { BundleModel } from './load';

/** A declared input of an imported model: a column plus, optionally, its value for missing cells. */
export type ImportedInput = Column & { impute?: number | string | boolean | undefined };

/**
 * Preprocessing for a model trained elsewhere, expressed with the platform's own transforms so
 * serving treats it like a trained one: numeric → standardize(0, 1) (identity), categorical →
 * one-hot over the declared categories, boolean → 0/1; classification → label-encode, regression
 * → standardize(0, 1). The model sees raw values; scaling, if any, is baked into the model.
 */
export function importedPreprocessing(
  inputs: readonly ImportedInput[],
  signature: Signature,
): Preprocessing {
  const details: ErrorDetail[] = [];
  const features: FeatureTransform[] = [];
  let width = 0;
  for (const [i, input] of inputs.entries()) {
    const at = `inputs[${i}]`;
    if (input.type === 'numeric') {
      const impute = input.impute ?? 0;
      if (typeof impute !== 'number' || !Number.isFinite(impute))
        details.push({ path: `${at}.impute`, message: 'must be a number for a numeric input' });
      else features.push({ kind: 'standardize', column: input.name, mean: 0, std: 1, impute });
      width += 1;
    } else if (input.type === 'categorical') {
      const categories = input.categories ?? [];
      if (categories.length === 0) {
        details.push({
          path: `${at}.categories`,
          message:
            'a categorical input needs its categories, in the order the model one-hot encodes them',
        });
        continue;
      }
      const impute = input.impute ?? categories[0];
      if (typeof impute !== 'string' || !categories.includes(impute))
        details.push({ path: `${at}.impute`, message: 'must be one of the categories' });
      else features.push({ kind: 'one-hot', column: input.name, categories, impute });
      width += categories.length;
    } else if (input.type === 'datetime') {
      // Derived date features are fitted on training data this platform never saw.
      details.push({
        path: `${at}.type`,
        message:
          'an imported model cannot take a datetime input: declare the features it was trained on',
      });
    } else {
      const impute = input.impute ?? false;
      if (typeof impute !== 'boolean')
        details.push({ path: `${at}.impute`, message: 'must be a boolean for a boolean input' });
      else features.push({ kind: 'boolean', column: input.name, impute });
      width += 1;
    }
  }
  if (details.length > 0)
    throw new AppError('VALIDATION_FAILED', 'the declared inputs cannot be encoded', details);
  const output = signature.output;
  return {
    features,
    target:
      output.task === 'classification'
        ? { kind: 'label-encode', column: output.target, labels: output.labels }
        : { kind: 'standardize', column: output.target, mean: 0, std: 1 },
    inputWidth: width,
  };
}

/** The last dimension of a [batch, width] shape, or null when unknown (-1 / null). */
function widthOf(shape: ReadonlyArray<number | null> | undefined): number | null {
  if (!shape || shape.length !== 2) return null;
  const w = shape[1];
  return typeof w === 'number' && w > 0 ? w : null;
}

/**
 * Check a loaded model against the preprocessing built for it: one [batch, inputWidth] input,
 * and one output of the label count (classification) or 1 (regression). Answers the problems
 * as details naming the import field to fix; an empty list means the model fits.
 */
export function checkModelFits(model: BundleModel, prep: Preprocessing): ErrorDetail[] {
  if (model.inputs.length !== 1)
    return [
      {
        path: 'files',
        message: `the model has ${model.inputs.length} inputs; exactly one [batch, width] input is supported`,
      },
    ];
  const declared = widthOf(model.inputs[0]?.shape);
  if (declared !== null && declared !== prep.inputWidth)
    return [
      {
        path: 'inputs',
        message: `the declared inputs encode to ${prep.inputWidth} values, the model takes ${declared}`,
      },
    ];
  const expected = prep.target.kind === 'label-encode' ? prep.target.labels.length : 1;
  const field = prep.target.kind === 'label-encode' ? 'labels' : 'task';
  const tf = getTf();
  let outShape: number[];
  try {
    outShape = tf.tidy(() => {
      const y = model.predict(tf.zeros([1, prep.inputWidth]));
      const outs: tfTypes.Tensor[] = Array.isArray(y) ? y : [y];
      if (outs.length !== 1) throw new Error(`the model has ${outs.length} outputs, not one`);
      return outs[0]?.shape ?? [];
    });
  } catch (err) {
    // Only reached when the topology did not state the width: a wrong one fails the dry run.
    return [
      {
        path: 'inputs',
        message: `the model cannot predict a [1, ${prep.inputWidth}] input: ${err instanceof Error ? err.message : String(err)}`,
      },
    ];
  }
  const actual = outShape.length === 2 ? outShape[1] : outShape.length === 1 ? 1 : null;
  if (actual !== expected)
    return [
      {
        path: field,
        message: `the model outputs shape [${outShape.join(', ')}], expected [1, ${expected}] (${
          field === 'labels' ? 'one column per label' : 'one value for regression'
        })`,
      },
    ];
  return [];
}
