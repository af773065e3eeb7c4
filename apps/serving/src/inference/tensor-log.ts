import { createHash } from 'node:crypto';
import type { DataRow, Prediction, Signature, TensorSignature } from '@mlops/contracts';
import type { TensorAnswer, TensorExample } from '../models/tensor-batch';

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * What the payload log keeps of one tensor example: never the values (an image is ≈ 150k of
 * them), but a sha256 of its bytes (to spot repeats and join with labelled copies), its shape,
 * and mean/std per channel (last axis) — what image drift is computed from.
 */
export function tensorLogRow(signature: TensorSignature, example: TensorExample): DataRow {
  const row: DataRow = {};
  for (const input of signature.inputs) {
    const values = example[input.name]!;
    const shape = input.shape.slice(1);
    row[`${input.name}.sha256`] = createHash('sha256')
      .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
      .digest('hex');
    row[`${input.name}.shape`] = shape.join('x');
    const channels = input.kind === 'image' ? input.decoding.channels : 1;
    const sum = new Float64Array(channels);
    const squares = new Float64Array(channels);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const c = i % channels;
      sum[c]! += v;
      squares[c]! += v * v;
    }
    const perChannel = values.length / channels;
    for (let c = 0; c < channels; c++) {
      const mean = sum[c]! / perChannel;
      const variance = Math.max(0, squares[c]! / perChannel - mean * mean);
      const suffix = channels === 1 ? '' : `_c${c}`;
      row[`${input.name}.mean${suffix}`] = round(mean);
      row[`${input.name}.std${suffix}`] = round(Math.sqrt(variance));
    }
  }
  return row;
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
