import type { TensorSignature } from '@mlops/contracts';
import type { TensorPredictor, TensorValue } from '@mlops/ml/bundle';

type Values = TensorValue['data'];

/**
 * One example of a tensor request, the batch dimension dropped: a view per input (no copy).
 * The batcher queues examples, so requests of one image and requests of eight ride in the
 * same predict call, as rows do for tabular models.
 */
export type TensorExample = Readonly<Record<string, Values>>;

/** One example's answer: per output its values and shape without the batch dimension. */
export type TensorAnswer = Readonly<Record<string, TensorValue>>;

/** A checked request's feeds ([n, ...] per input) → n examples (views into the feeds). */
export function splitExamples(
  signature: TensorSignature,
  feeds: Readonly<Record<string, TensorValue>>,
  batch: number,
): TensorExample[] {
  const examples: Array<Record<string, Values>> = Array.from({ length: batch }, () => ({}));
  for (const input of signature.inputs) {
    const { data } = feeds[input.name]!;
    const size = data.length / batch;
    for (let i = 0; i < batch; i++)
      examples[i]![input.name] = data.subarray(i * size, (i + 1) * size);
  }
  return examples;
}

/**
 * Examples stacked along the batch axis, one tensor per input. Every example of an input has
 * the declared shape (checked per request), so stacking is a copy; requests that sent different
 * datatypes for one input (UINT8 and FP32 pixels) are stacked as float32.
 */
export function stackExamples(
  signature: TensorSignature,
  examples: readonly TensorExample[],
): Record<string, TensorValue> {
  const feeds: Record<string, TensorValue> = {};
  for (const input of signature.inputs) {
    const first = examples[0]![input.name]!;
    const size = first.length;
    const Ctor = examples.every((e) => e[input.name]!.constructor === first.constructor)
      ? (first.constructor as new (n: number) => Values)
      : Float32Array;
    const data = new Ctor(size * examples.length);
    for (const [i, e] of examples.entries()) data.set(e[input.name]!, i * size);
    feeds[input.name] = { data, shape: [examples.length, ...input.shape.slice(1)] };
  }
  return feeds;
}

/** One predict call for the queued examples; each gets its slice of every output. */
export function runTensorBatch(
  predictor: TensorPredictor,
  examples: readonly TensorExample[],
): TensorAnswer[] {
  if (examples.length === 0) return [];
  const { signature } = predictor;
  return splitOutputs(
    signature,
    predictor.predictTensors(stackExamples(signature, examples)),
    examples.length,
  );
}

/** runTensorBatch for a predictor that answers later (ONNX Runtime). */
export async function runTensorBatchAsync(
  predictor: {
    signature: TensorSignature;
    predictTensors(feeds: Record<string, TensorValue>): Promise<Record<string, TensorValue>>;
  },
  examples: readonly TensorExample[],
): Promise<TensorAnswer[]> {
  if (examples.length === 0) return [];
  const { signature } = predictor;
  const outputs = await predictor.predictTensors(stackExamples(signature, examples));
  return splitOutputs(signature, outputs, examples.length);
}

/** A batch's outputs ([n, ...] each) → one answer per example (views, no copy). */
function splitOutputs(
  signature: TensorSignature,
  outputs: Readonly<Record<string, TensorValue>>,
  n: number,
): TensorAnswer[] {
  const answers: Array<Record<string, TensorValue>> = Array.from({ length: n }, () => ({}));
  for (const output of signature.outputs) {
    const { data, shape } = outputs[output.name]!;
    const size = data.length / n;
    const rest = shape.slice(1);
    for (let i = 0; i < n; i++)
      answers[i]![output.name] = { data: data.subarray(i * size, (i + 1) * size), shape: rest };
  }
  return answers;
}

/** A request's answers joined back into one tensor per output ([n, ...]). */
export function joinAnswers(
  signature: TensorSignature,
  answers: readonly TensorAnswer[],
): Record<string, TensorValue> {
  const out: Record<string, TensorValue> = {};
  for (const output of signature.outputs) {
    const first = answers[0]![output.name]!;
    const size = first.data.length;
    const Ctor = first.data.constructor as new (n: number) => Values;
    const data = new Ctor(size * answers.length);
    for (const [i, a] of answers.entries()) data.set(a[output.name]!.data, i * size);
    out[output.name] = { data, shape: [answers.length, ...first.shape] };
  }
  return out;
}
