import type * as tfTypes from '@tensorflow/tfjs';
import { FloatAttr, type GraphBuilder, type Value } from './graph';

/** A model the exporter cannot turn into an equivalent ONNX graph: the export stops here. */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

/** What every layer converter gets: the graph, and how to lay out 4-D values. */
export interface ExportContext {
  graph: GraphBuilder;
  /**
   * Transpose back to NHWC after every conv or pool (true), or keep values NCHW from one conv
   * to the next and transpose only where NHWC is needed again (false, the default: fewer ops).
   */
  transposeEachLayer: boolean;
  /** Transposes already made, by `${value name}>${layout}`: a value is transposed once. */
  transposed: Map<string, Value>;
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

/** `v` in the layout asked for (a Transpose node when it is a 4-D value in the other one). */
export function inLayout(ctx: ExportContext, v: Value, layout: 'nhwc' | 'nchw'): Value {
  if (v.rank !== 4 || v.layout === layout) return v;
  const key = `${v.name}>${layout}`;
  const known = ctx.transposed.get(key);
  if (known) return known;
  const name = ctx.graph.node('Transpose', [v.name], `${v.name}/${layout}`, {
    perm: layout === 'nchw' ? TO_NCHW : TO_NHWC,
  });
  const out: Value = { name, rank: 4, layout };
  ctx.transposed.set(key, out);
  return out;
}

/** The value after a spatial op, in NCHW — or back in NHWC when each layer transposes. */
export function afterSpatial(ctx: ExportContext, name: string): Value {
  const v: Value = { name, rank: 4, layout: 'nchw' };
  return ctx.transposeEachLayer ? inLayout(ctx, v, 'nhwc') : v;
}

/** A layer's weight by its short name (`kernel`, `bias`, `moving_mean`…), or null. */
export function weight(
  layer: tfTypes.layers.Layer,
  short: string,
): { values: Float32Array; shape: number[] } | null {
  // originalName: `name` gets a `_1` suffix when the process already holds a variable so named.
  const v = layer.weights.find((w) => w.originalName.split('/').pop() === short);
  if (!v) return null;
  const t = v.read();
  if (t.dtype !== 'float32')
    throw new OnnxExportError(`layer "${layer.name}": weight ${short} is ${t.dtype}, not float32`);
  return { values: t.dataSync() as Float32Array, shape: t.shape };
}

export function requireWeight(layer: tfTypes.layers.Layer, short: string) {
  const w = weight(layer, short);
  if (!w) throw new OnnxExportError(`layer "${layer.name}" has no ${short} weight`);
  return w;
}

/** Values of a row-major tensor of `shape`, axes reordered by `perm` (as numpy.transpose). */
export function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]) {
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(values.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    for (let k = 0; k < perm.length; k++) from += index[k]! * strides[perm[k]!]!;
    out[o] = values[from]!;
    for (let k = outShape.length - 1; k >= 0; k--) {
      if (++index[k]! < outShape[k]!) break;
      index[k] = 0;
    }
  }
  return { values: out, shape: outShape };
}

/**
 * ONNX pads [top, left, bottom, right] for TF's padding mode: `same` pads so the output is
 * ceil(in / stride) and puts the odd pixel at the end, as TensorFlow does.
 */
export function spatialPads(
  layer: tfTypes.layers.Layer,
  padding: string,
  size: readonly [number | null, number | null],
  kernel: readonly number[],
  strides: readonly number[],
  dilation: readonly number[] = [1, 1],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same')
    throw new OnnxExportError(`layer "${layer.name}": padding "${padding}" is not exported`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const n = size[i];
    if (n === null || n === undefined)
      throw new OnnxExportError(
        `layer "${layer.name}": "same" padding needs a fixed input size; dimension ${i + 1} is dynamic`,
      );
    const k = (kernel[i]! - 1) * dilation[i]! + 1;
    const s = strides[i]!;
    const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/** Two numbers from a TF.js config field that is a number or a pair. */
export function pair(v: unknown, fallback: number): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v)) return [Number(v[0] ?? fallback), Number(v[1] ?? v[0] ?? fallback)];
  return [fallback, fallback];
}

/** TF.js activation identifier → ONNX nodes. Softmax works on the last (channel) axis. */
export function activation(ctx: ExportContext, v: Value, name: unknown, base: string): Value {
  const g = ctx.graph;
  const same = (out: string): Value => ({ ...v, name: out });
  switch (name ?? 'linear') {
    case 'linear':
      return v;
    case 'relu':
      return same(g.node('Relu', [v.name], base));
    case 'relu6':
      return same(
        g.node('Clip', [v.name, g.scalar(`${base}/min`, 0), g.scalar(`${base}/max`, 6)], base),
      );
    case 'sigmoid':
      return same(g.node('Sigmoid', [v.name], base));
    case 'tanh':
      return same(g.node('Tanh', [v.name], base));
    case 'elu':
      return same(g.node('Elu', [v.name], base, { alpha: new FloatAttr(1) }));
    case 'selu':
      return same(g.node('Selu', [v.name], base));
    case 'softplus':
      return same(g.node('Softplus', [v.name], base));
    case 'softsign':
      return same(g.node('Softsign', [v.name], base));
    case 'hardSigmoid':
      // TF.js: clip(0.2 x + 0.5, 0, 1), which is ONNX HardSigmoid with these constants.
      return same(
        g.node('HardSigmoid', [v.name], base, {
          alpha: new FloatAttr(0.2),
          beta: new FloatAttr(0.5),
        }),
      );
    case 'swish':
      return same(g.node('Mul', [v.name, g.node('Sigmoid', [v.name], `${base}/sigmoid`)], base));
    case 'mish': {
      const sp = g.node('Softplus', [v.name], `${base}/softplus`);
      return same(g.node('Mul', [v.name, g.node('Tanh', [sp], `${base}/tanh`)], base));
    }
    case 'softmax': {
      const x = inLayout(ctx, v, 'nhwc');
      return { ...x, name: g.node('Softmax', [x.name], base, { axis: -1 }) };
    }
    default:
      throw new OnnxExportError(`activation "${String(name)}" is not exported`);
  }
}

/** Broadcast shape of a per-channel vector of length `c` against a value of `layout`/`rank`. */
export function channelShape(v: Value, c: number): number[] {
  if (v.layout === 'nchw') return [c, 1, 1];
  return [c];
}

export type Config = Record<string, unknown>;
export type Converter = (
  ctx: ExportContext,
  layer: tfTypes.layers.Layer,
  inputs: Value[],
  config: Config,
  shapes: Shapes,
) => Value;

/** Static shapes of the call being converted (batch first, null where dynamic). */
export interface Shapes {
  inputs: tfTypes.Shape[];
  output: tfTypes.Shape;
}

export function only(layer: tfTypes.layers.Layer, inputs: Value[]): Value {
  if (inputs.length !== 1)
    throw new OnnxExportError(`layer "${layer.name}" has ${inputs.length} inputs; expected 1`);
  return inputs[0]!;
}
