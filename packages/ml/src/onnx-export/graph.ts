import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: its namespace hangs off the default export.
export const { onnx } = onnxProto;

/** The opset the exporter writes: Softmax over one axis (13+) and Clip with tensor bounds. */
export const OPSET_VERSION = 13;
/** IR version 7 is the one ONNX 1.8 paired with opset 13. */
export const IR_VERSION = 7;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/**
 * How a 4-D value's axes are ordered. TF.js is channels-last (NHWC); ONNX's Conv and pooling
 * are channels-first (NCHW). Values of other ranks are `plain`.
 */
export type Layout = 'nhwc' | 'nchw' | 'plain';

/** A tensor of the graph being built: its name, rank, and axis order. */
export interface Value {
  name: string;
  rank: number;
  layout: Layout;
}

type Attribute = number | number[] | string | FloatAttr;

/** Builds the nodes and initializers of one ONNX graph, naming everything uniquely. */
export class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly used = new Set<string>();

  /** A fresh name starting with `base` (layer names are unique in TF.js, not across nested models). */
  name(base: string): string {
    const clean = base.replace(/[^\w./:-]/g, '_');
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float32 initializer (the weights travel as raw little-endian bytes). */
  floats(base: string, dims: readonly number[], values: Float32Array): string {
    const name = this.name(base);
    const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [...dims], dataType: FLOAT, rawData: raw.slice() }),
    );
    return name;
  }

  /** A float32 scalar initializer (Clip's bounds). */
  scalar(base: string, value: number): string {
    const name = this.name(base);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [], dataType: FLOAT, floatData: [value] }),
    );
    return name;
  }

  /** An int64 initializer (shapes, for Reshape). */
  int64s(base: string, values: readonly number[]): string {
    const name = this.name(base);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [values.length],
        dataType: INT64,
        int64Data: [...values],
      }),
    );
    return name;
  }

  /** Add one node; returns the name of its (single) output. */
  node(
    opType: string,
    inputs: readonly string[],
    base: string,
    attributes: Record<string, Attribute> = {},
  ): string {
    const output = this.name(base);
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: this.name(`${base}/${opType}`),
        input: [...inputs],
        output: [output],
        attribute: Object.entries(attributes).map(([name, v]) => attribute(name, v)),
      }),
    );
    return output;
  }
}

function attribute(name: string, value: Attribute) {
  const A = onnx.AttributeProto.AttributeType;
  if (value instanceof FloatAttr)
    return onnx.AttributeProto.create({ name, type: A.FLOAT, f: value.value });
  if (typeof value === 'string')
    return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  return Number.isInteger(value)
    ? onnx.AttributeProto.create({ name, type: A.INT, i: value })
    : onnx.AttributeProto.create({ name, type: A.FLOAT, f: value });
}

/** A float attribute that happens to be a whole number (ONNX checks attribute types). */
export class FloatAttr {
  constructor(readonly value: number) {}
}

/** A graph input or output: float32, the batch dimension symbolic (`batch`). */
export function valueInfo(name: string, shape: ReadonlyArray<number | null>) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: shape.map((d, i) =>
            d !== null && d >= 0 ? { dimValue: d } : { dimParam: i === 0 ? 'batch' : `dim${i}` },
          ),
        },
      },
    },
  });
}
