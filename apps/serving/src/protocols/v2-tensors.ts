import { z } from 'zod';
import {
  AppError,
  describeDetails,
  v2InferRequestSchema,
  v2TensorSchema,
  zodIssuesToDetails,
  type TensorInput,
  type TensorSignature,
  type V2Datatype,
  type V2InferResponse,
} from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import { base64Bytes, decodeImages, invalidInput, type TensorReadOptions } from './tensor-inputs';

/**
 * Open Inference Protocol v2 tensors for tensor models: JSON `data` (flat or nested) and the
 * binary tensor extension, where the body is the JSON header (`Inference-Header-Content-Length`
 * bytes) followed by each input's raw little-endian bytes in order, `parameters.binary_data_size`
 * long — what Triton's Python client sends by default.
 */

export const BINARY_HEADER = 'inference-header-content-length';

/** With the binary extension an input carries `binary_data_size` instead of `data`. */
const headerSchema = v2InferRequestSchema.extend({
  inputs: z
    .array(v2TensorSchema.extend({ data: v2TensorSchema.shape.data.optional() }))
    .min(1)
    .max(1_024),
});
export type V2TensorRequest = z.infer<typeof headerSchema>;
type V2Input = V2TensorRequest['inputs'][number];

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

function parseHeader(value: unknown): V2TensorRequest {
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) {
    const details = zodIssuesToDetails(parsed.error.issues);
    throw new AppError(
      'VALIDATION_FAILED',
      `Invalid inference request: ${describeDetails(details)}`,
      details,
    );
  }
  return parsed.data;
}

/** A JSON body (already parsed): inputs with `data`. */
export function jsonTensorRequest(body: unknown): V2TensorRequest {
  return parseHeader(body);
}

/**
 * A binary-extension body: the JSON header, then the bytes of each input that declares
 * `binary_data_size`, in input order. The sizes must add up to the bytes after the header.
 */
export function binaryTensorRequest(
  body: unknown,
  headerLength: string,
): { req: V2TensorRequest; binary: Map<string, Uint8Array> } {
  if (!(body instanceof Uint8Array)) throw bad('The binary tensor extension needs a raw body');
  const n = /^\d{1,12}$/.test(headerLength) ? Number(headerLength) : NaN;
  if (!(n >= 2 && n <= body.length))
    throw bad(
      `Inference-Header-Content-Length is "${headerLength.slice(0, 20)}"; it must be the JSON header's length in bytes, at most the body's ${body.length}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, n).toString('utf8'));
  } catch {
    throw bad(`The first ${n} bytes (Inference-Header-Content-Length) are not a JSON header`);
  }
  const req = parseHeader(json);
  const binary = new Map<string, Uint8Array>();
  let at = n;
  let declared = 0;
  for (const input of req.inputs) {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      throw invalidInput(input.name, 'parameters.binary_data_size must be a byte count');
    if (input.data !== undefined)
      throw invalidInput(input.name, 'has both "data" and parameters.binary_data_size');
    declared += size;
    binary.set(input.name, body.subarray(at, Math.min(body.length, at + size)));
    at += size;
  }
  if (declared !== body.length - n)
    throw bad(
      `The binary section has ${body.length - n} bytes but the inputs' binary_data_size add up to ${declared}`,
    );
  return { req, binary };
}

const NUMERIC: Partial<Record<V2Datatype, { bytes: number; min: number; max: number }>> = {
  FP32: { bytes: 4, min: -Infinity, max: Infinity },
  UINT8: { bytes: 1, min: 0, max: 255 },
  INT32: { bytes: 4, min: -(2 ** 31), max: 2 ** 31 - 1 },
};

function flatten(data: unknown[], out: unknown[] = []): unknown[] {
  for (const v of data) {
    if (Array.isArray(v)) flatten(v, out);
    else out.push(v);
  }
  return out;
}

const product = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** BYTES elements of the binary extension: each a 4-byte little-endian length, then the bytes. */
function bytesElements(name: string, raw: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let at = 0;
  while (at < raw.length) {
    if (at + 4 > raw.length) throw invalidInput(name, 'BYTES element length is cut short');
    const len = view.getUint32(at, true);
    if (at + 4 + len > raw.length)
      throw invalidInput(name, `BYTES element of ${len} bytes runs past binary_data_size`);
    out.push(raw.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

async function encodedImages(
  input: TensorInput,
  t: V2Input,
  raw: Uint8Array | undefined,
  opts: TensorReadOptions,
): Promise<TensorValue> {
  if (input.kind !== 'image')
    throw invalidInput(
      input.name,
      `datatype BYTES is for encoded images; this input is a ${input.dtype} tensor [${input.shape.join(', ')}]`,
    );
  if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1)))
    throw invalidInput(
      input.name,
      `BYTES images have shape [n] or [n, 1], got [${t.shape.join(', ')}]`,
    );
  const images = raw
    ? bytesElements(input.name, raw)
    : flatten(t.data ?? []).map((v) => {
        if (typeof v !== 'string')
          throw invalidInput(input.name, 'BYTES data must be base64 strings of encoded images');
        return base64Bytes(input.name, v);
      });
  if (images.length !== t.shape[0])
    throw invalidInput(input.name, `shape [${t.shape.join(', ')}] but ${images.length} images`);
  return decodeImages(input, images, opts);
}

function numbers(input: TensorInput, t: V2Input, raw: Uint8Array | undefined): TensorValue {
  const kind = NUMERIC[t.datatype];
  if (!kind)
    throw invalidInput(
      input.name,
      `datatype ${t.datatype}; send FP32, UINT8 or INT32${input.kind === 'image' ? ' pixels, or BYTES for encoded images' : ''}`,
    );
  const count = product(t.shape);
  if (raw) {
    if (raw.length !== count * kind.bytes)
      throw invalidInput(
        input.name,
        `binary_data_size is ${raw.length} bytes; shape [${t.shape.join(', ')}] of ${t.datatype} needs ${count * kind.bytes}`,
      );
    // A copy: the slice of the body may not be 4-byte aligned. Little-endian, as the host.
    // (Buffer#slice does not copy: a Uint8Array of it does.)
    const copy = new Uint8Array(raw).buffer;
    const data =
      t.datatype === 'FP32'
        ? new Float32Array(copy)
        : t.datatype === 'INT32'
          ? new Int32Array(copy)
          : new Uint8Array(copy);
    if (t.datatype === 'FP32' && !data.every(Number.isFinite))
      throw invalidInput(input.name, 'holds a value that is not a finite number');
    return { data, shape: t.shape };
  }
  const values = flatten(t.data ?? []);
  if (values.length !== count)
    throw invalidInput(
      input.name,
      `shape [${t.shape.join(', ')}] needs ${count} values, got ${values.length}`,
    );
  const data =
    t.datatype === 'FP32'
      ? new Float32Array(count)
      : t.datatype === 'INT32'
        ? new Int32Array(count)
        : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      v >= kind.min &&
      v <= kind.max &&
      (t.datatype === 'FP32' || Number.isInteger(v));
    if (!ok)
      throw invalidInput(
        input.name,
        `data[${i}] is ${JSON.stringify(v)?.slice(0, 40)}; not a ${t.datatype} value`,
      );
    data[i] = v;
  }
  return { data, shape: t.shape };
}

/** Every request tensor → the model's named feeds (shapes are checked against the signature after). */
export async function v2ToTensors(
  signature: TensorSignature,
  req: V2TensorRequest,
  binary: ReadonlyMap<string, Uint8Array> | null,
  opts: TensorReadOptions,
): Promise<Record<string, TensorValue>> {
  const byName = new Map(req.inputs.map((t) => [t.name, t]));
  if (byName.size !== req.inputs.length) throw bad('Two input tensors have the same name');
  const names = signature.inputs.map((i) => i.name);
  for (const name of byName.keys())
    if (!names.includes(name))
      throw invalidInput(name, `not an input of the model; its inputs are ${names.join(', ')}`);
  const feeds: Record<string, TensorValue> = {};
  for (const input of signature.inputs) {
    const t = byName.get(input.name);
    if (!t) throw invalidInput(input.name, `missing; expected shape [${input.shape.join(', ')}]`);
    const raw = binary?.get(input.name);
    if (!raw && t.data === undefined)
      throw invalidInput(input.name, 'has neither "data" nor parameters.binary_data_size');
    feeds[input.name] =
      t.datatype === 'BYTES' ? await encodedImages(input, t, raw, opts) : numbers(input, t, raw);
  }
  return feeds;
}

/**
 * The outputs a client asked to receive as binary: all with the request's
 * `parameters.binary_data_output` (what Triton's Python client sets when it names no output),
 * else those whose requested output says `parameters.binary_data`.
 */
export function binaryOutputs(req: V2TensorRequest): (name: string) => boolean {
  if (req.parameters?.binary_data_output === true) return () => true;
  const named = new Set(
    (req.outputs ?? []).filter((o) => o.parameters?.binary_data === true).map((o) => o.name),
  );
  return (name) => named.has(name);
}

/**
 * A response with binary outputs: the JSON header (binary outputs carry
 * `parameters.binary_data_size` instead of `data`) followed by their little-endian bytes in
 * output order. Answers the body and the header's length.
 */
export function binaryResponse(
  response: V2InferResponse,
  isBinary: (name: string) => boolean,
): { body: Buffer; headerLength: number } {
  const blobs: Buffer[] = [];
  const outputs = response.outputs.map((o) => {
    if (!isBinary(o.name)) return o;
    const numbers = o.data as number[];
    const typed =
      o.datatype === 'INT32'
        ? Int32Array.from(numbers)
        : o.datatype === 'UINT8'
          ? Uint8Array.from(numbers)
          : Float32Array.from(numbers);
    const bytes = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
    blobs.push(bytes);
    const { data: _data, ...rest } = o;
    return { ...rest, parameters: { binary_data_size: bytes.length } };
  });
  const header = Buffer.from(JSON.stringify({ ...response, outputs }));
  return { body: Buffer.concat([header, ...blobs]), headerLength: header.length };
}

const DATATYPE: Record<string, V2Datatype> = { float32: 'FP32', int32: 'INT32', uint8: 'UINT8' };

/** The answer's output tensors (all, or those the request names), data flat. */
export function v2TensorOutputs(
  signature: TensorSignature,
  outputs: Record<string, TensorValue>,
  wanted: ReadonlyArray<{ name: string }> | undefined,
): V2InferResponse['outputs'] {
  const names = signature.outputs.map((o) => o.name);
  for (const o of wanted ?? [])
    if (!names.includes(o.name))
      throw bad(
        `Unknown output "${o.name}": this model answers ${names.map((n) => `"${n}"`).join(', ')}`,
      );
  return signature.outputs
    .filter((o) => !wanted?.length || wanted.some((w) => w.name === o.name))
    .map((o) => {
      const { data, shape } = outputs[o.name]!;
      return {
        name: o.name,
        datatype: DATATYPE[o.dtype] ?? 'FP32',
        shape: [...shape],
        data: Array.from(data),
      };
    });
}
