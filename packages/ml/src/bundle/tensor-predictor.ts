import type * as tfTypes from '@tensorflow/tfjs';
import {
  AppError,
  exampleElements,
  type ErrorDetail,
  type ImageDecoding,
  type TensorInput,
  type TensorSignature,
} from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { tfDtype, type TensorModel } from './tensor-model';

/** A tensor's values, row-major, with its shape (batch first). */
export interface TensorValue {
  readonly data: Float32Array | Int32Array | Uint8Array;
  readonly shape: readonly number[];
  /**
   * Decoded from encoded images: each example's size before the resize (the payload log keeps
   * it for size drift). Absent for values sent as numbers.
   */
  readonly sizes?: ReadonlyArray<{ readonly width: number; readonly height: number }>;
}

/** Named tensors in, named tensors out: what serving calls for a tensor model. */
export interface TensorPredictor {
  readonly signature: TensorSignature;
  /**
   * One value per signature input, all with the same batch. An `image` input takes decoded
   * pixels (0–255, [n, height, width, channels]) and applies the declared scale/mean/std; a
   * `tensor` input is fed as is (cast to its dtype). Answers every output by name.
   * Bad feeds throw VALIDATION_FAILED naming the input.
   */
  predictTensors(feeds: Readonly<Record<string, TensorValue>>): Record<string, TensorValue>;
  dispose(): void;
}

function invalid(input: string, message: string): AppError {
  const detail: ErrorDetail = { path: input, message };
  return new AppError('VALIDATION_FAILED', `input "${input}": ${message}`, [detail]);
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** The batch of one feed, after checking it against the input's declared shape. */
function checkFeed(input: TensorInput, value: TensorValue | undefined): number {
  if (!value) throw invalid(input.name, `missing; expected ${fmt(input.shape)}`);
  const { shape } = value;
  const fits =
    shape.length === input.shape.length &&
    shape.every((d, k) => Number.isInteger(d) && (k === 0 ? d >= 1 : d === input.shape[k]));
  if (!fits) throw invalid(input.name, `expected shape ${fmt(input.shape)}, got ${fmt(shape)}`);
  const batch = shape[0]!;
  const expected = batch * exampleElements(input.shape);
  if (value.data.length !== expected)
    throw invalid(
      input.name,
      `shape ${fmt(shape)} needs ${expected} values, got ${value.data.length}`,
    );
  return batch;
}

/** (v · scale − mean[c]) / std[c], channels last. */
function normalize(
  tf: ReturnType<typeof getTf>,
  pixels: tfTypes.Tensor,
  d: ImageDecoding,
): tfTypes.Tensor {
  let x = pixels.toFloat();
  if (d.scale !== 1) x = x.mul(d.scale);
  if (d.mean) x = x.sub(tf.tensor1d(d.mean));
  if (d.std) x = x.div(tf.tensor1d(d.std));
  return x;
}

function feedTensor(
  tf: ReturnType<typeof getTf>,
  input: TensorInput,
  value: TensorValue,
): tfTypes.Tensor {
  const raw = tf.tensor(value.data, [...value.shape]);
  const dtype = tfDtype(input.dtype);
  if (input.kind === 'image') return normalize(tf, raw, input.decoding).cast(dtype);
  return raw.dtype === dtype ? raw : raw.cast(dtype);
}

/**
 * Every feed against the signature (names, shapes, value counts, one batch for all inputs):
 * the batch, or VALIDATION_FAILED naming the input. Serving checks each request with it before
 * queueing, so a bad request fails alone instead of failing the batch it would have joined.
 */
export function checkTensorFeeds(
  signature: TensorSignature,
  feeds: Readonly<Record<string, TensorValue>>,
): number {
  const known = new Set(signature.inputs.map((i) => i.name));
  for (const name of Object.keys(feeds))
    if (!known.has(name))
      throw invalid(name, `not an input of the model; its inputs are ${[...known].join(', ')}`);
  let batch = 0;
  for (const [k, input] of signature.inputs.entries()) {
    const n = checkFeed(input, feeds[input.name]);
    if (k > 0 && n !== batch)
      throw invalid(input.name, `batch of ${n}, the other inputs have ${batch}`);
    batch = n;
  }
  return batch;
}

/**
 * The in-process predictor of a tensor model, checked against its signature: the model's
 * inputs and outputs must be the signature's, by name and in order (the import wrote it so).
 */
export function createTensorPredictor(
  model: TensorModel,
  signature: TensorSignature,
): TensorPredictor {
  const modelInputs = model.inputs.map((i) => i.name).join(', ');
  const modelOutputs = model.outputs.map((o) => o.name).join(', ');
  if (
    modelInputs !== signature.inputs.map((i) => i.name).join(', ') ||
    modelOutputs !== signature.outputs.map((o) => o.name).join(', ')
  )
    throw new AppError(
      'PRECONDITION_FAILED',
      `the model's tensors (inputs ${modelInputs}; outputs ${modelOutputs}) are not the signature's`,
    );
  const tf = getTf();
  return {
    signature,
    predictTensors(feeds) {
      checkTensorFeeds(signature, feeds);
      const ys = tf.tidy(() =>
        model.run(signature.inputs.map((input) => feedTensor(tf, input, feeds[input.name]!))),
      );
      try {
        const out: Record<string, TensorValue> = {};
        for (const [k, output] of signature.outputs.entries()) {
          const y = ys[k];
          if (!y) throw new AppError('INTERNAL', `the model did not produce "${output.name}"`);
          out[output.name] = {
            data: y.dataSync(),
            shape: [...y.shape],
          };
        }
        return out;
      } finally {
        for (const y of ys) y.dispose();
      }
    },
    dispose: () => undefined,
  };
}
