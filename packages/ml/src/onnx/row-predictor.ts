import type { ErrorDetail, OnnxValueInfo, Preprocessing } from '@mlops/contracts';
import type { OnnxSession } from './session';

/**
 * A tabular ONNX graph as serving runs it: encoded rows [rows, inputWidth] in, the first
 * output's values row-major out. Async: ONNX Runtime's JS API runs a graph on a later tick.
 */
export interface OnnxRowPredictor {
  readonly engine: 'onnx';
  readonly fallbackReason: null;
  readonly session: OnnxSession;
  predict(input: Float32Array, rows: number, inputWidth: number): Promise<Float32Array>;
  dispose(): void;
}

const FLOATS = new Set(['float32', 'float64']);

/** How many values a row of `info` holds, or null when a dimension after the batch is symbolic. */
function rowWidth(info: OnnxValueInfo): number | null {
  if (info.shape.length === 1) return 1;
  let n = 1;
  for (const d of info.shape.slice(1)) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/**
 * Problems of a graph used as a tabular model: one float input [batch, inputWidth] and a float
 * first output of one value per label (classification) or one value (regression). Each names
 * the import field to fix; empty when the graph fits.
 */
export function onnxTabularProblems(
  inputs: readonly OnnxValueInfo[],
  outputs: readonly OnnxValueInfo[],
  prep: Preprocessing,
): ErrorDetail[] {
  const [input] = inputs;
  if (!input || inputs.length !== 1)
    return [
      {
        path: 'files',
        message: `the graph has ${inputs.length} inputs; a tabular model takes exactly one [batch, width] input (leave out inputs to import it as a tensor model)`,
      },
    ];
  if (!FLOATS.has(input.elementType) || input.shape.length !== 2)
    return [
      {
        path: 'files',
        message: `input "${input.name}" is ${input.elementType} [${input.shape.join(', ')}]; a tabular model takes float32 [batch, width]`,
      },
    ];
  const width = input.shape[1];
  if (typeof width === 'number' && width !== prep.inputWidth)
    return [
      {
        path: 'inputs',
        message: `the declared inputs encode to ${prep.inputWidth} values, the graph takes ${width}`,
      },
    ];
  const output = outputs[0]!;
  const expected = prep.target.kind === 'label-encode' ? prep.target.labels.length : 1;
  const field = prep.target.kind === 'label-encode' ? 'labels' : 'task';
  if (!FLOATS.has(output.elementType))
    return [
      {
        path: 'files',
        message: `output "${output.name}" is ${output.elementType}; the first output must be float scores (export classifiers with probabilities first, without ZipMap)`,
      },
    ];
  const got = rowWidth(output);
  if (got !== null && got !== expected)
    return [
      {
        path: field,
        message: `output "${output.name}" has shape [${output.shape.join(', ')}], expected [batch, ${expected}] (${
          field === 'labels' ? 'one column per label' : 'one value for regression'
        })`,
      },
    ];
  return [];
}

/** The predictor over a session whose graph passed onnxTabularProblems. */
export function createOnnxRowPredictor(
  session: OnnxSession,
  input: OnnxValueInfo,
  output: string,
): OnnxRowPredictor {
  const float64 = input.elementType === 'float64';
  return {
    engine: 'onnx',
    fallbackReason: null,
    session,
    async predict(values, rows, inputWidth) {
      const data = float64 ? Float64Array.from(values) : values;
      const out = await session.run({
        [input.name]: { type: float64 ? 'float64' : 'float32', data, dims: [rows, inputWidth] },
      });
      const y = out[output];
      if (!y) throw new Error(`the graph did not produce "${output}"`);
      return y.data instanceof Float32Array ? y.data : Float32Array.from(y.data as Float64Array);
    },
    dispose: () => void session.dispose(),
  };
}
