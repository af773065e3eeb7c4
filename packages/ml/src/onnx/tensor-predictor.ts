import {
  AppError,
  type OnnxElementType,
  type OnnxValueInfo,
  type TensorInput,
  type TensorSignature,
} from '@mlops/contracts';
import type { DryRun } from '../bundle/tensor-import';
import type { TensorSpec } from '../bundle/tensor-model';
import { checkTensorFeeds, type TensorValue } from '../bundle/tensor-predictor';
import type { OnnxData, OnnxSession, OnnxTensorValue } from './session';

/** The graph's inputs and outputs as tensor specs: symbolic dimensions become -1. */
export function onnxTensorSpecs(info: {
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const spec = (v: OnnxValueInfo): TensorSpec => ({
    name: v.name,
    dtype: v.elementType,
    shape: v.shape.map((d) => (typeof d === 'number' ? d : -1)),
  });
  return { inputs: info.inputs.map(spec), outputs: info.outputs.map(spec) };
}

/** `values` as the typed array ONNX Runtime takes for `type` (numbers only). */
function onnxArray(type: OnnxElementType, values: ArrayLike<number>): OnnxData {
  switch (type) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return values instanceof Int32Array ? values : Int32Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v))));
    case 'uint8':
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
    default:
      throw new AppError('PRECONDITION_FAILED', `ONNX inputs of type ${type} are not supported`);
  }
}

/** An output as serving's tensor values: float32, int32 or uint8 arrays. */
function servingArray(data: OnnxData): TensorValue['data'] {
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array)
    return data;
  if (data instanceof Float64Array) return Float32Array.from(data);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array)
    return Int32Array.from(data, (v) => Number(v));
  if (Array.isArray(data)) throw new Error('string outputs are not supported');
  return Float32Array.from(data);
}

/** (v · scale − mean[c]) / std[c] over channels-last pixels, as TF.js tensor models do it. */
function normalized(input: Extract<TensorInput, { kind: 'image' }>, pixels: ArrayLike<number>) {
  const { scale, mean, std, channels } = input.decoding;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const c = i % channels;
    out[i] = (pixels[i]! * scale - (mean?.[c] ?? 0)) / (std?.[c] ?? 1);
  }
  return out;
}

/** A tensor model on ONNX Runtime: named tensors in, named tensors out, asynchronously. */
export interface OnnxTensorPredictor {
  readonly engine: 'onnx';
  readonly fallbackReason: null;
  readonly signature: TensorSignature;
  predictTensors(
    feeds: Readonly<Record<string, TensorValue>>,
  ): Promise<Record<string, TensorValue>>;
  dispose(): void;
}

export function createOnnxTensorPredictor(
  session: OnnxSession,
  signature: TensorSignature,
  graph: { inputs: readonly OnnxValueInfo[] },
): OnnxTensorPredictor {
  const types = new Map(graph.inputs.map((i) => [i.name, i.elementType]));
  return {
    engine: 'onnx',
    fallbackReason: null,
    signature,
    async predictTensors(feeds) {
      checkTensorFeeds(signature, feeds);
      const onnxFeeds: Record<string, OnnxTensorValue> = {};
      for (const input of signature.inputs) {
        const value = feeds[input.name]!;
        const type = types.get(input.name) ?? 'float32';
        const data = input.kind === 'image' ? normalized(input, value.data) : value.data;
        onnxFeeds[input.name] = { type, data: onnxArray(type, data), dims: value.shape };
      }
      const out = await session.run(onnxFeeds);
      const answer: Record<string, TensorValue> = {};
      for (const output of signature.outputs) {
        const y = out[output.name];
        if (!y) throw new AppError('INTERNAL', `the graph did not produce "${output.name}"`);
        answer[output.name] = { data: servingArray(y.data), shape: [...y.dims] };
      }
      return answer;
    },
    dispose: () => void session.dispose(),
  };
}

/** The import's dry run on ONNX Runtime: zeros of every resolved input, batch 1. */
export function onnxDryRun(
  session: OnnxSession,
  graph: { inputs: readonly OnnxValueInfo[] },
): (inputs: readonly TensorInput[]) => Promise<DryRun> {
  const types = new Map(graph.inputs.map((i) => [i.name, i.elementType]));
  return async (inputs) => {
    try {
      const feeds: Record<string, OnnxTensorValue> = {};
      for (const input of inputs) {
        const dims = [1, ...input.shape.slice(1)];
        const n = dims.reduce((a, b) => a * b, 1);
        const type = types.get(input.name) ?? 'float32';
        feeds[input.name] = { type, data: onnxArray(type, new Float32Array(n)), dims };
      }
      const out = await session.run(feeds);
      const names = session.outputNames;
      return {
        shapes: names.map((n) => [...(out[n]?.dims ?? [])]),
        dtypes: names.map((n) => out[n]?.type ?? 'unknown'),
      };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
}
