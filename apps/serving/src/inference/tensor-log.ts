import { createHash } from 'node:crypto';
import type { DataRow, Prediction, Signature, TensorSignature } from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import { summarizeInput, type SourceSize } from '@mlops/ml/summary';
import type { TensorAnswer, TensorExample } from '../models/tensor-batch';

/**
 * What the payload log keeps of one tensor example: never the values (an image is ≈ 150k of
 * them), but a sha256 of its bytes (to spot repeats and join with labelled copies), its shape,
 * and the summary image drift is computed from — mean/std per channel (last axis) and, for an
 * image, its 4×4 thumbnail embedding and (sent encoded) its size before the resize. The summary
 * is packages/ml's `summarizeInput`, the very function the trainer builds the version's drift
 * reference with.
 */
export function tensorLogRow(
  signature: TensorSignature,
  example: TensorExample,
  sources: Readonly<Record<string, SourceSize | undefined>> = {},
): DataRow {
  const row: DataRow = {};
  for (const input of signature.inputs) {
    const values = example[input.name]!;
    row[`${input.name}.sha256`] = createHash('sha256')
      .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
      .digest('hex');
    row[`${input.name}.shape`] = input.shape.slice(1).join('x');
    Object.assign(row, summarizeInput(input, values, {}, sources[input.name]));
  }
  return row;
}

/** Example `i`'s source size per input that was decoded from encoded images. */
export function sourceSizes(
  feeds: Readonly<Record<string, TensorValue>>,
  i: number,
): Record<string, SourceSize | undefined> {
  const out: Record<string, SourceSize | undefined> = {};
  for (const [name, feed] of Object.entries(feeds)) out[name] = feed.sizes?.[i];
  return out;
}

/**
 * The prediction the monitor reads for a tensor example: for classification the first
 * probabilities/logits output over the labels (argmax as the label), otherwise the first
 * output's first value.
 */
export function tensorPrediction(signature: Signature, answer: TensorAnswer): Prediction {
  const tensors = signature.tensors!;
  const out = signature.output;
  if (out.task === 'classification') {
    const scored =
      tensors.outputs.find((o) => o.role === 'probabilities' || o.role === 'logits') ??
      tensors.outputs[0]!;
    const values = answer[scored.name]!.data;
    const probabilities: Record<string, number> = {};
    let best = 0;
    for (const [i, label] of out.labels.entries()) {
      probabilities[label] = values[i] ?? 0;
      if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
    }
    return { label: out.labels[best]!, probabilities };
  }
  return { value: answer[tensors.outputs[0]!.name]!.data[0] ?? Number.NaN };
}
