import type * as tfTypes from '@tensorflow/tfjs';
import type { OnnxValueInfo } from '@mlops/contracts';
import { GraphBuilder, IR_VERSION, onnx, OPSET_VERSION, valueInfo, type Value } from './graph';
import { CONVERTERS, type Shapes } from './layers';
import { inLayout, OnnxExportError, type ExportContext } from './ops';

export const PRODUCER_NAME = 'mlops-tfjs-export';
/** Bumped whenever the exporter writes a different graph for the same model. */
export const PRODUCER_VERSION = '1.0.0';

export interface ExportOptions {
  /** Names of the graph's inputs (default: the TF.js model's input tensor names). */
  inputNames?: readonly string[];
  /** Names of the graph's outputs (default: the TF.js model's output tensor names). */
  outputNames?: readonly string[];
  /** See ExportContext.transposeEachLayer (kept to measure the two layouts against each other). */
  transposeEachLayer?: boolean;
}

export interface OnnxExport {
  /** The serialized ModelProto (`model.onnx`). */
  bytes: Uint8Array;
  opsetVersion: number;
  /** `producer_name producer_version`, as the manifest records it. */
  producer: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

interface Nested {
  inputs: tfTypes.SymbolicTensor[];
  outputs: tfTypes.SymbolicTensor[];
}

/** A layer that is itself a model (a nested Sequential or functional model). */
function isModel(layer: tfTypes.layers.Layer): layer is tfTypes.layers.Layer & Nested {
  const l = layer as Partial<Nested> & { layers?: unknown };
  return Array.isArray(l.layers) && Array.isArray(l.inputs) && Array.isArray(l.outputs);
}

/**
 * Convert one (sub)model's graph, walking back from its outputs through the layers' inbound
 * nodes. A symbolic tensor names the node (call) of its layer that made it, so a layer shared
 * by two models (a transfer head trained on cached features) is converted as this model calls it.
 */
function convertGraph(ctx: ExportContext, model: Nested, inputs: Value[]): Value[] {
  const values = new Map<number, Value>();
  model.inputs.forEach((t, i) => values.set(t.id, inputs[i]!));
  const visit = (t: tfTypes.SymbolicTensor): Value => {
    const known = values.get(t.id);
    if (known) return known;
    const layer = t.sourceLayer;
    const node = layer.inboundNodes[t.nodeIndex ?? 0];
    if (!node) throw new OnnxExportError(`layer "${layer.name}" has no call producing ${t.name}`);
    const ins = node.inputTensors.map(visit);
    const outs = convertLayer(ctx, layer, ins, {
      inputs: node.inputTensors.map((i) => i.shape),
      output: node.outputTensors[0]?.shape ?? [],
    });
    node.outputTensors.forEach((o, i) => {
      if (outs[i]) values.set(o.id, outs[i]);
    });
    const out = values.get(t.id);
    if (!out) throw new OnnxExportError(`layer "${layer.name}" did not produce ${t.name}`);
    return out;
  };
  return model.outputs.map(visit);
}

function convertLayer(
  ctx: ExportContext,
  layer: tfTypes.layers.Layer,
  inputs: Value[],
  shapes: Shapes,
): Value[] {
  if (isModel(layer)) return convertGraph(ctx, layer, inputs);
  const className = layer.getClassName();
  const converter = CONVERTERS[className];
  if (!converter)
    throw new OnnxExportError(
      `layer "${layer.name}" is a ${className}, which the ONNX export does not convert (it converts ${Object.keys(CONVERTERS).join(', ')})`,
    );
  return [converter(ctx, layer, inputs, layer.getConfig(), shapes)];
}

/**
 * Export a TF.js layers model to an ONNX ModelProto: float32 inputs and outputs shaped as the
 * TF.js model's (NHWC images stay NHWC at the graph's edges), batch dimension `batch`, weights
 * as initializers. A layer, activation or option the exporter does not convert throws
 * OnnxExportError naming it: the export never writes a graph that computes something else.
 */
export function exportToOnnx(model: tfTypes.LayersModel, opts: ExportOptions = {}): OnnxExport {
  const graph = new GraphBuilder();
  const inputNames = model.inputs.map((t, i) => graph.name(opts.inputNames?.[i] ?? t.name));
  const outputNames = model.outputs.map((t, i) => graph.name(opts.outputNames?.[i] ?? t.name));
  const ctx: ExportContext = {
    graph,
    transposeEachLayer: opts.transposeEachLayer ?? false,
    transposed: new Map(),
  };
  const inputs: Value[] = model.inputs.map((t, i) => ({
    name: inputNames[i]!,
    rank: t.shape.length,
    layout: t.shape.length === 4 ? 'nhwc' : 'plain',
  }));
  const results = convertGraph(ctx, model, inputs);
  // The outputs keep TF.js's layout; an Identity gives each its public name.
  results.forEach((v, i) => {
    const out = inLayout(ctx, v, 'nhwc');
    graph.nodes.push(
      onnx.NodeProto.create({
        opType: 'Identity',
        name: graph.name(`${outputNames[i]!}/Identity`),
        input: [out.name],
        output: [outputNames[i]!],
      }),
    );
  });
  const describe = (name: string, shape: tfTypes.Shape): OnnxValueInfo => ({
    name,
    elementType: 'float32',
    shape: shape.map((d, i) => (d === null || d < 0 ? (i === 0 ? 'batch' : `dim${i}`) : d)),
  });
  const inputInfo = model.inputs.map((t, i) => describe(inputNames[i]!, t.shape));
  const outputInfo = model.outputs.map((t, i) => describe(outputNames[i]!, t.shape));
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    graph: {
      name: model.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: model.inputs.map((t, i) => valueInfo(inputNames[i]!, t.shape)),
      output: model.outputs.map((t, i) => valueInfo(outputNames[i]!, t.shape)),
    },
  });
  return {
    // A copy: protobufjs may hand back a view of Node's shared Buffer pool, which cannot be
    // transferred between threads.
    bytes: new Uint8Array(onnx.ModelProto.encode(proto).finish()),
    opsetVersion: OPSET_VERSION,
    producer: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
    inputs: inputInfo,
    outputs: outputInfo,
  };
}
