import onnxProto from 'onnx-proto';
import { AppError, type OnnxValueInfo } from '@mlops/contracts';
import { elementTypeOf, unsupportedTypeName } from './element-types';

const { onnx } = onnxProto;

/** What the registry records of an ONNX graph (contracts onnxArtifactSchema, minus the file). */
export interface OnnxModelInfo {
  irVersion: number;
  /** The default (`ai.onnx`) domain's opset. */
  opsetVersion: number;
  /** `producer_name producer_version`, e.g. `pytorch 2.3.0`; `unknown` when neither is set. */
  producer: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/**
 * The largest ONNX file read (256 MiB): protobuf decoding holds the whole file in memory, and a
 * model past this belongs on a GPU server. Graphs with external data files are refused anyway.
 */
export const ONNX_MAX_FILE_BYTES = 256 * 1024 * 1024;
/** The contract's bound on a graph's inputs and outputs (onnxArtifactSchema). */
const MAX_IO = 64;
const MAX_RANK = 8;

function invalid(message: string, path = 'files'): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path, message }]);
}

type ValueInfo = InstanceType<typeof onnx.ValueInfoProto>;

function valueInfo(v: ValueInfo, role: 'input' | 'output'): OnnxValueInfo {
  const name = v.name;
  const tensor = v.type?.tensorType;
  if (!tensor)
    throw invalid(
      `${role} "${name}" is not a tensor (sequence, map or optional values are not supported; export classifiers without ZipMap)`,
    );
  const code = tensor.elemType ?? 0;
  const elementType = elementTypeOf(code);
  if (!elementType)
    throw invalid(`${role} "${name}" has element type ${unsupportedTypeName(code)}, not supported`);
  const dims = tensor.shape?.dim ?? [];
  if (dims.length > MAX_RANK)
    throw invalid(`${role} "${name}" has rank ${dims.length}; at most ${MAX_RANK} is supported`);
  const shape = dims.map((d, k) => {
    if (d.dimParam) return d.dimParam.slice(0, 100);
    // Neither a size nor a name: ONNX's "unknown dimension"; name it so it stays symbolic.
    if (d.dimValue === null || d.dimValue === undefined) return `d${k}`;
    return Number(d.dimValue);
  });
  if (!name) throw invalid(`an ${role} of the graph has no name`);
  return { name: name.slice(0, 200), elementType, shape };
}

/**
 * Read an ONNX ModelProto's contract: graph inputs (initializers excluded: old exporters list
 * weights as inputs), outputs with element types and symbolic dimensions, opset and producer.
 * VALIDATION_FAILED with a message naming the problem for anything that is not a usable graph.
 */
export function readOnnxModel(bytes: Uint8Array, maxBytes = ONNX_MAX_FILE_BYTES): OnnxModelInfo {
  if (bytes.byteLength > maxBytes)
    throw invalid(
      `the ONNX file is ${bytes.byteLength} bytes; at most ${maxBytes} are supported (too large)`,
    );
  if (bytes.byteLength === 0) throw invalid('the ONNX file is empty');
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw invalid(
      `not an ONNX model (the protobuf does not decode: ${err instanceof Error ? err.message : String(err)}); truncated or another format`,
    );
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0)
    throw invalid('not an ONNX model: it has no graph nodes (truncated or another format)');
  if (!model.irVersion) throw invalid('not an ONNX model: ir_version is missing');
  for (const t of graph.initializer ?? [])
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
      throw invalid(
        `initializer "${t.name}" is stored in an external data file; export the model with its weights inside the .onnx file`,
      );
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name));
  const outputs = graph.output ?? [];
  if (inputs.length === 0) throw invalid('the graph has no inputs');
  if (outputs.length === 0) throw invalid('the graph has no outputs');
  if (inputs.length > MAX_IO || outputs.length > MAX_IO)
    throw invalid(
      `the graph has ${inputs.length} inputs and ${outputs.length} outputs; at most ${MAX_IO} of each are supported`,
    );
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opset?.version) throw invalid('the model imports no ai.onnx opset');
  const producer = `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim();
  return {
    irVersion: Number(model.irVersion),
    opsetVersion: Number(opset.version),
    producer: producer.slice(0, 200) || 'unknown',
    inputs: inputs.map((v) => valueInfo(v as ValueInfo, 'input')),
    outputs: outputs.map((v) => valueInfo(v as ValueInfo, 'output')),
  };
}
