import {
  AppError,
  exampleElements,
  type TensorInput,
  type TensorSignature,
} from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import { decodeImage } from '@mlops/ml/image';

/**
 * Request values → named tensors, shared by the protocols: nested number lists of the declared
 * shape, and encoded images (TF Serving `{"b64": …}`, OIP BYTES, a raw image body) decoded per
 * the input's declared decoding. Every refusal is a 400 naming the input.
 */

export function invalidInput(input: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `input "${input}": ${message}`, [
    { path: input, message },
  ]);
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** TF Serving's binary value: an object holding only `b64`. */
export function isB64(value: unknown): value is { b64: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { b64?: unknown }).b64 === 'string'
  );
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Standard or URL-safe base64 → bytes; anything else is refused (Buffer would skip it). */
export function base64Bytes(input: string, text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw invalidInput(input, 'the b64 value is not base64');
  return new Uint8Array(
    Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64'),
  );
}

/** Per request bounds (serving env), passed down from infer. */
export interface TensorReadOptions {
  /** SERVING_MAX_REQUEST_VALUES: most values the request's images may decode to. */
  maxValues: number;
}

/** Encoded images → one [n, height, width, channels] uint8 tensor, decoded concurrently. */
export async function decodeImages(
  input: TensorInput,
  images: readonly Uint8Array[],
  opts: TensorReadOptions,
): Promise<TensorValue> {
  if (input.kind !== 'image')
    throw invalidInput(
      input.name,
      `is a ${input.dtype} tensor ${fmt(input.shape)}, not an image: send its values, not encoded bytes`,
    );
  const values = images.length * exampleElements(input.shape);
  if (values > opts.maxValues)
    throw invalidInput(
      input.name,
      `${images.length} images of ${fmt(input.shape.slice(1))} decode to ${values} values; at most ${opts.maxValues} per request (SERVING_MAX_REQUEST_VALUES): split it`,
    );
  const decoded = await Promise.all(images.map((b) => decodeImage(input.name, b, input.decoding)));
  const size = exampleElements(input.shape);
  const data = new Uint8Array(size * decoded.length);
  for (const [i, d] of decoded.entries()) data.set(d.data, i * size);
  return {
    data,
    shape: [decoded.length, ...input.shape.slice(1)],
    sizes: decoded.map((d) => d.source),
  };
}

/**
 * One example as nested lists of `dims` → its values appended to `out`. The nesting must be the
 * declared shape exactly, so a [224, 224] list sent for [224, 224, 3] says so instead of
 * running on misread pixels.
 */
function flattenShaped(
  input: string,
  value: unknown,
  dims: readonly number[],
  out: number[],
  where: string,
): void {
  if (dims.length === 0) {
    if (typeof value === 'number' && Number.isFinite(value)) out.push(value);
    else if (typeof value === 'boolean') out.push(value ? 1 : 0);
    else
      throw invalidInput(
        input,
        `${where} is ${JSON.stringify(value)?.slice(0, 40) ?? 'undefined'}; expected a finite number`,
      );
    return;
  }
  if (!Array.isArray(value) || value.length !== dims[0])
    throw invalidInput(
      input,
      `${where} must be a list of ${dims[0]} (example shape ${fmt(dims)}), got ${
        Array.isArray(value) ? `${value.length} items` : typeof value
      }`,
    );
  for (let i = 0; i < value.length; i++)
    flattenShaped(input, value[i], dims.slice(1), out, `${where}[${i}]`);
}

/**
 * One input's value per example (TF Serving rows, or a column split by example) → a tensor:
 * all `{"b64": …}` for an image input, or all nested lists of the example shape.
 */
export async function examplesToTensor(
  input: TensorInput,
  values: readonly unknown[],
  where: (i: number) => string,
  opts: TensorReadOptions,
): Promise<TensorValue> {
  const b64 = values.filter(isB64).length;
  if (b64 > 0) {
    if (b64 !== values.length)
      throw invalidInput(input.name, 'mixes {"b64": …} images and number lists: send one kind');
    return decodeImages(
      input,
      values.map((v) => base64Bytes(input.name, (v as { b64: string }).b64)),
      opts,
    );
  }
  const dims = input.shape.slice(1);
  const flat: number[] = [];
  for (const [i, v] of values.entries()) flattenShaped(input.name, v, dims, flat, where(i));
  return { data: Float32Array.from(flat), shape: [values.length, ...dims] };
}

/** Output values nested as `shape` says (JSON answers), numbers as plain numbers. */
export function nest(data: ArrayLike<number>, shape: readonly number[], at = 0): unknown[] {
  if (shape.length === 0) return [];
  if (shape.length === 1) return Array.from({ length: shape[0]! }, (_, i) => data[at + i]!);
  const inner = shape.slice(1).reduce((n, d) => n * d, 1);
  return Array.from({ length: shape[0]! }, (_, i) => nest(data, shape.slice(1), at + i * inner));
}

/** The single image input a raw image body goes to, or a 400 saying why there is none. */
export function singleImageInput(
  signature: TensorSignature | undefined,
  model: string,
): TensorInput {
  const inputs = signature?.inputs ?? [];
  const images = inputs.filter((i) => i.kind === 'image');
  if (inputs.length !== 1 || images.length !== 1)
    throw new AppError(
      'VALIDATION_FAILED',
      `An image body needs a model with one image input; "${model}" has ${
        signature
          ? `inputs ${inputs.map((i) => `${i.name} (${i.kind})`).join(', ')}`
          : 'feature inputs'
      }: send JSON`,
    );
  return images[0]!;
}
