import { AppError, type Prediction, type Signature } from '@mlops/contracts';
import { inputSpecs, outputSpecs, predictionColumns, tfDtype, type TensorSpec } from './tensors';

/**
 * The signatures a model answers under TF Serving's `signature_name`: `serving_default`
 * (predict) for every model, and the Classify or Regress API's own for a tabular
 * classification or regression model (TF Serving's documented `regress` call names
 * "tensorflow/serving/regress").
 */
export const DEFAULT_SIGNATURE = 'serving_default';
export const CLASSIFY_SIGNATURE = 'tensorflow/serving/classify';
export const REGRESS_SIGNATURE = 'tensorflow/serving/regress';

export function signatureNames(signature: Signature): string[] {
  if (signature.tensors) return [DEFAULT_SIGNATURE];
  return [
    DEFAULT_SIGNATURE,
    signature.output.task === 'classification' ? CLASSIFY_SIGNATURE : REGRESS_SIGNATURE,
  ];
}

/** An unknown `signature_name` is a 400 naming it, as TF Serving's "signature key not found". */
export function checkSignatureName(name: unknown, names: readonly string[]): void {
  if (name === undefined || name === '') return;
  if (typeof name !== 'string' || !names.includes(name)) {
    const message = `Serving signature key ${JSON.stringify(name)} not found: this model has ${names.map((n) => `"${n}"`).join(', ')}`;
    throw new AppError('VALIDATION_FAILED', message, [{ path: 'signature_name', message }]);
  }
}

function tensorInfo(specs: TensorSpec[]) {
  return Object.fromEntries(
    specs.map((s) => [
      s.name,
      {
        dtype: tfDtype(s.datatype),
        tensor_shape: { dim: s.shape.map((d) => ({ size: String(d) })) },
        name: s.name,
      },
    ]),
  );
}

/** The Classify or Regress signature of a tabular model: TF Serving's output tensor names. */
function examplesSignature(signature: Signature) {
  const inputs = tensorInfo(inputSpecs(signature));
  if (signature.tensors) return {};
  const out = signature.output;
  if (out.task === 'classification') {
    const k = out.labels.length;
    return {
      [CLASSIFY_SIGNATURE]: {
        inputs,
        outputs: tensorInfo([
          { name: 'classes', datatype: 'BYTES', shape: [-1, k] },
          { name: 'scores', datatype: 'FP32', shape: [-1, k] },
        ]),
        method_name: CLASSIFY_SIGNATURE,
      },
    };
  }
  return {
    [REGRESS_SIGNATURE]: {
      inputs,
      outputs: tensorInfo([{ name: 'outputs', datatype: 'FP32', shape: [-1] }]),
      method_name: REGRESS_SIGNATURE,
    },
  };
}

/** TF Serving's GetModelMetadata JSON: every signature the model answers, with its features. */
export function tfMetadata(name: string, version: number, signature: Signature) {
  return {
    model_spec: { name, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          [DEFAULT_SIGNATURE]: {
            inputs: tensorInfo(inputSpecs(signature)),
            outputs: tensorInfo(outputSpecs(signature)),
            method_name: 'tensorflow/serving/predict',
          },
          ...examplesSignature(signature),
        },
      },
    },
  };
}

/**
 * A tabular model's row answer as TF Serving's spec writes it for the outputs its metadata
 * declares: one output (regression `value`) bare, `[3.5, …]`; several (classification
 * `label` and `probabilities`, a [-1, k] float tensor in the labels' order) as an object per
 * instance keyed by output name.
 */
export function specPredictions(signature: Signature, predictions: readonly Prediction[]) {
  const out = signature.output;
  if (out.task !== 'classification')
    return predictions.map((p) => ('value' in p ? p.value : Number.NaN));
  return predictions.map((p) =>
    'label' in p
      ? { label: p.label, probabilities: out.labels.map((l) => p.probabilities[l] ?? 0) }
      : p,
  );
}

/** The columnar answer: one output (regression) bare, several keyed by output name. */
export function specOutputs(signature: Signature, predictions: readonly Prediction[]) {
  const columns = predictionColumns(signature, predictions);
  return columns.value ?? columns;
}
