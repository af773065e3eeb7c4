import type { Column, Prediction, Signature, TensorDtype, V2Datatype } from '@mlops/contracts';

/** One tensor per feature (our choice for typed protocols): its V2 datatype. */
export function v2DatatypeOf(column: Column): V2Datatype {
  switch (column.type) {
    case 'numeric':
      return 'FP32';
    case 'categorical':
    case 'datetime':
      return 'BYTES';
    case 'boolean':
      return 'BOOL';
  }
}

const TF_DTYPES: Record<V2Datatype, string> = {
  BOOL: 'DT_BOOL',
  UINT8: 'DT_UINT8',
  UINT16: 'DT_UINT16',
  UINT32: 'DT_UINT32',
  UINT64: 'DT_UINT64',
  INT8: 'DT_INT8',
  INT16: 'DT_INT16',
  INT32: 'DT_INT32',
  INT64: 'DT_INT64',
  FP16: 'DT_HALF',
  FP32: 'DT_FLOAT',
  FP64: 'DT_DOUBLE',
  BYTES: 'DT_STRING',
};

export function tfDtype(dt: V2Datatype): string {
  return TF_DTYPES[dt];
}

export interface TensorSpec {
  name: string;
  datatype: V2Datatype;
  /** -1 is the batch dimension. */
  shape: number[];
}

const V2_OF_DTYPE: Record<TensorDtype, V2Datatype> = {
  float32: 'FP32',
  int32: 'INT32',
  uint8: 'UINT8',
  bool: 'BOOL',
};

/** A tensor model's inputs as declared (an image input also takes BYTES: encoded images). */
export function inputSpecs(signature: Signature): TensorSpec[] {
  if (signature.tensors)
    return signature.tensors.inputs.map((i) => ({
      name: i.name,
      datatype: V2_OF_DTYPE[i.dtype],
      shape: [...i.shape],
    }));
  return signature.inputs.map((c) => ({ name: c.name, datatype: v2DatatypeOf(c), shape: [-1] }));
}

/** Classification answers `label` and `probabilities` (labels order); regression `value`. */
export function outputSpecs(signature: Signature): TensorSpec[] {
  if (signature.tensors)
    return signature.tensors.outputs.map((o) => ({
      name: o.name,
      datatype: V2_OF_DTYPE[o.dtype],
      shape: [...o.shape],
    }));
  const out = signature.output;
  if (out.task === 'classification') {
    return [
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, out.labels.length] },
    ];
  }
  return [{ name: 'value', datatype: 'FP32', shape: [-1] }];
}

/** Predictions as columns: `label`, `probabilities` (rows × labels, labels order) or `value`. */
export function predictionColumns(
  signature: Signature,
  predictions: readonly Prediction[],
): { label?: string[]; probabilities?: number[][]; value?: number[] } {
  const out = signature.output;
  if (out.task === 'classification') {
    const label: string[] = [];
    const probabilities: number[][] = [];
    for (const p of predictions) {
      if (!('label' in p)) continue;
      label.push(p.label);
      probabilities.push(out.labels.map((l) => p.probabilities[l] ?? 0));
    }
    return { label, probabilities };
  }
  return { value: predictions.map((p) => ('value' in p ? p.value : Number.NaN)) };
}
