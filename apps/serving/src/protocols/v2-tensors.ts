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
import { readData, shapeCount, type DataSink } from './v2-data';

/**
 * Open Inference Protocol v2 tensors for tensor models: JSON `data` (flat or nested) and the
 * binary tensor extension, where the body is the JSON header (`Inference-Header-Content-Length`
 * bytes) followed by each input's raw little-endian bytes in order, `parameters.binary_data_size`
 * long — what Triton's Python client sends by default.
 */

export const BINARY_HEADER = 'inference-header-content-length';

/**
 * The envelope: with the binary extension an input carries `binary_data_size` instead of `data`.
 * `data` is only checked to be an array here; its values are checked as they are read out
 * (v2-data.ts), once, against the input's datatype and shape.
 */
const headerSchema = v2InferRequestSchema.extend({
  inputs: z
    .array(
      v2TensorSchema.extend({
        // Not z.array(): that would walk and copy every value of a large tensor once more.
        data: z.custom<unknown[]>((v) => Array.isArray(v), 'must be an array').optional(),
      }),
    )
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

type Numbers = Float32Array | Int32Array | Uint8Array;

/** A sink writing finite numbers (FP32) or whole numbers in range (INT32, UINT8) to `out`. */
function numberSink(datatype: V2Datatype, out: Numbers): DataSink {
  const what = `a ${datatype} value`;
  if (datatype === 'FP32')
    return {
      what,
      put: (at, v) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) return false;
        out[at] = v;
        return true;
      },
    };
  const { min, max } = NUMERIC[datatype]!;
  return {
    what,
    put: (at, v) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return false;
      out[at] = v;
      return true;
    },
  };
}

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
  let images: Uint8Array[];
  if (raw) {
    images = bytesElements(input.name, raw);
    if (images.length !== t.shape[0])
      throw invalidInput(input.name, `shape [${t.shape.join(', ')}] but ${images.length} images`);
  } else {
    const strings = new Array<string>(shapeCount(t.shape));
    readData(input.name, t.data ?? [], t.shape, {
      what: 'a base64 string of an encoded image',
      put: (at, v) => {
        if (typeof v !== 'string') return false;
        strings[at] = v;
        return true;
      },
    });
    images = strings.map((v) => base64Bytes(input.name, v));
  }
  return decodeImages(input, images, opts);
}

function numbers(input: TensorInput, t: V2Input, raw: Uint8Array | undefined): TensorValue {
  const kind = NUMERIC[t.datatype];
  if (!kind)
    throw invalidInput(
      input.name,
      `datatype ${t.datatype}; send FP32, UINT8 or INT32${input.kind === 'image' ? ' pixels, or BYTES for encoded images' : ''}`,
    );
  const count = shapeCount(t.shape);
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
  // Straight into the typed array: no array of numbers in between.
  const data =
    t.datatype === 'FP32'
      ? new Float32Array(count)
      : t.datatype === 'INT32'
        ? new Int32Array(count)
        : new Uint8Array(count);
  readData(input.name, t.data ?? [], t.shape, numberSink(t.datatype, data));
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
