import onnxProto from 'onnx-proto';
import type { OnnxElementType } from '@mlops/contracts';
import { mulberry32 } from '../../split/split';
import { elementTypeCode } from '../element-types';

const { onnx } = onnxProto;

// Test-only: ONNX graphs built with onnx-proto, shaped like what PyTorch and skl2onnx export
// (Gemm/MatMul+Add, Relu, Softmax, Cast, Conv, pooling, Flatten, a symbolic batch dimension).
// Real exports cannot be produced here (no PyTorch); these exercise the same ops and fields.

export type Dim = number | string;
export type AttributeValue = number | number[] | string;

export interface ValueSpec {
  name: string;
  /** An element type, or a raw TensorProto.DataType code (to build what the import refuses). */
  type?: OnnxElementType | number;
  shape: Dim[];
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integers for INT/INTS attributes; use `floats` for FLOAT ones. */
  attributes?: Record<string, AttributeValue>;
  floats?: Record<string, number>;
}

export interface InitializerSpec {
  name: string;
  dims: number[];
  values: ArrayLike<number>;
}

export interface GraphSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
  opset?: number;
  producerName?: string;
  producerVersion?: string;
}

const A = onnx.AttributeProto.AttributeType;

function attribute(name: string, value: AttributeValue): InstanceType<typeof onnx.AttributeProto> {
  if (typeof value === 'string')
    return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  return onnx.AttributeProto.create({ name, type: A.INT, i: value });
}

function valueInfo(v: ValueSpec) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: typeof v.type === 'number' ? v.type : elementTypeCode(v.type ?? 'float32'),
        shape: {
          dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  });
}

/** An ONNX model file (ModelProto bytes, IR 8) from a graph description. */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'test-graph',
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
    initializer: (spec.initializers ?? []).map((t) =>
      onnx.TensorProto.create({
        name: t.name,
        dims: t.dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        floatData: Array.from(t.values),
      }),
    ),
    node: spec.nodes.map((n, k) =>
      onnx.NodeProto.create({
        name: `${n.op.toLowerCase()}_${k}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: [
          ...Object.entries(n.attributes ?? {}).map(([name, v]) => attribute(name, v)),
          ...Object.entries(n.floats ?? {}).map(([name, f]) =>
            onnx.AttributeProto.create({ name, type: A.FLOAT, f }),
          ),
        ],
      }),
    ),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: spec.producerName ?? 'mlops-test',
    producerVersion: spec.producerVersion ?? '1.0',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Seeded weights in [-scale, scale): the same graph every run. */
export function seededValues(n: number, seed: number, scale = 0.5): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

export interface MlpOptions {
  inputWidth: number;
  hidden: number;
  classes: number;
  seed?: number;
  /** Names, as an exporter would choose them. */
  inputName?: string;
  outputName?: string;
  producerName?: string;
}

/**
 * A classifier like `torch.onnx.export` writes for an MLP: [batch, width] → Gemm → Relu →
 * Cast(float) → MatMul + Add → Softmax → [batch, classes], batch symbolic (`batch`).
 */
export function mlpClassifier(opts: MlpOptions): Uint8Array {
  const seed = opts.seed ?? 1;
  const { inputWidth: w, hidden: h, classes: c } = opts;
  const input = opts.inputName ?? 'features';
  const output = opts.outputName ?? 'probabilities';
  return buildOnnxModel({
    producerName: opts.producerName ?? 'pytorch',
    producerVersion: '2.3.0',
    inputs: [{ name: input, shape: ['batch', w] }],
    outputs: [{ name: output, shape: ['batch', c] }],
    initializers: [
      { name: 'w1', dims: [h, w], values: seededValues(h * w, seed) },
      { name: 'b1', dims: [h], values: seededValues(h, seed + 1) },
      { name: 'w2', dims: [h, c], values: seededValues(h * c, seed + 2) },
      { name: 'b2', dims: [c], values: seededValues(c, seed + 3) },
    ],
    nodes: [
      { op: 'Gemm', inputs: [input, 'w1', 'b1'], outputs: ['h1'], attributes: { transB: 1 } },
      { op: 'Relu', inputs: ['h1'], outputs: ['r1'] },
      { op: 'Cast', inputs: ['r1'], outputs: ['c1'], attributes: { to: 1 } },
      { op: 'MatMul', inputs: ['c1', 'w2'], outputs: ['m2'] },
      { op: 'Add', inputs: ['m2', 'b2'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: [output], attributes: { axis: 1 } },
    ],
  });
}

export interface ConvOptions {
  height: number;
  width: number;
  channels: number;
  classes: number;
  filters?: number;
  seed?: number;
}

/**
 * An image classifier taking channels-last pixels [batch, H, W, C] (TF.js's layout, so the
 * same b64 image requests work): Transpose → Conv 3×3 → Relu → MaxPool 2×2 → AveragePool 2×2 →
 * Flatten → Gemm → Softmax. H and W must be multiples of 4.
 */
export function convClassifier(opts: ConvOptions): Uint8Array {
  const seed = opts.seed ?? 7;
  const f = opts.filters ?? 4;
  const { height: hh, width: ww, channels: ch, classes: c } = opts;
  const flat = f * (hh / 4) * (ww / 4);
  return buildOnnxModel({
    producerName: 'pytorch',
    producerVersion: '2.3.0',
    inputs: [{ name: 'image', shape: ['batch', hh, ww, ch] }],
    outputs: [{ name: 'probabilities', shape: ['batch', c] }],
    initializers: [
      { name: 'k', dims: [f, ch, 3, 3], values: seededValues(f * ch * 9, seed, 0.3) },
      { name: 'kb', dims: [f], values: seededValues(f, seed + 1) },
      { name: 'w', dims: [flat, c], values: seededValues(flat * c, seed + 2, 0.2) },
      { name: 'b', dims: [c], values: seededValues(c, seed + 3) },
    ],
    nodes: [
      { op: 'Transpose', inputs: ['image'], outputs: ['nchw'], attributes: { perm: [0, 3, 1, 2] } },
      {
        op: 'Conv',
        inputs: ['nchw', 'k', 'kb'],
        outputs: ['conv'],
        attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      {
        op: 'MaxPool',
        inputs: ['relu'],
        outputs: ['max'],
        attributes: { kernel_shape: [2, 2], strides: [2, 2] },
      },
      {
        op: 'AveragePool',
        inputs: ['max'],
        outputs: ['avg'],
        attributes: { kernel_shape: [2, 2], strides: [2, 2] },
      },
      { op: 'Flatten', inputs: ['avg'], outputs: ['flat'], attributes: { axis: 1 } },
      { op: 'Gemm', inputs: ['flat', 'w', 'b'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 } },
    ],
  });
}
