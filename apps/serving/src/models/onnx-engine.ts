import { AppError, exampleElements, type ModelVersion, type Prediction } from '@mlops/contracts';
import {
  createOnnxTensorPredictor,
  createOnnxRowPredictor,
  createOnnxSession,
  onnxTabularProblems,
  type OnnxRowPredictor,
  type OnnxTensorPredictor,
  type OnnxSessionOptions,
} from '@mlops/ml/onnx';
import { imputedRow } from './predict-rows';
import { predictBlocksAsync, rowsBlock, type RowBlock } from './row-block';
import { runTensorBatchAsync, type TensorAnswer, type TensorExample } from './tensor-batch';

export interface OnnxEngine {
  predictor: OnnxRowPredictor;
  /** The batcher's run: encode, one ONNX Runtime run for the whole batch, decode. */
  readonly run: (blocks: readonly RowBlock[]) => Promise<Prediction[][]>;
}

/** The graph file of a version, or PRECONDITION_FAILED. */
function graphBytes(mv: ModelVersion, files: ReadonlyMap<string, Uint8Array>) {
  const onnx = mv.manifest.onnx;
  const bytes = onnx ? files.get(onnx.file) : undefined;
  if (!onnx || !bytes)
    throw new AppError('PRECONDITION_FAILED', `Version ${mv.version} has no ONNX graph file`);
  return { onnx, bytes };
}

export interface OnnxTensorEngine {
  predictor: OnnxTensorPredictor;
  readonly run: (examples: TensorExample[]) => Promise<TensorAnswer[]>;
}

/** A tensor version on ONNX Runtime, warmed on one all-zero example per input. */
export async function loadOnnxTensorEngine(
  mv: ModelVersion,
  files: ReadonlyMap<string, Uint8Array>,
  options: OnnxSessionOptions,
): Promise<OnnxTensorEngine> {
  const { onnx, bytes } = graphBytes(mv, files);
  const tensors = mv.manifest.signature.tensors!;
  const session = await createOnnxSession(bytes, options);
  const predictor = createOnnxTensorPredictor(session, tensors, onnx);
  try {
    await predictor.predictTensors(
      Object.fromEntries(
        tensors.inputs.map((i) => [
          i.name,
          { data: new Float32Array(exampleElements(i.shape)), shape: [1, ...i.shape.slice(1)] },
        ]),
      ),
    );
  } catch (err) {
    predictor.dispose();
    throw new AppError(
      'PRECONDITION_FAILED',
      `Version ${mv.version} of "${mv.model}" failed its warm-up predict on ONNX Runtime: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  return { predictor, run: (examples) => runTensorBatchAsync(predictor, examples) };
}

/**
 * A tabular version on ONNX Runtime: one InferenceSession for the version (released with it),
 * checked against the preprocessing and warmed on the imputed row before it serves, so the
 * first request does not pay the session's first-run allocations.
 */
export async function loadOnnxEngine(
  mv: ModelVersion,
  files: ReadonlyMap<string, Uint8Array>,
  options: OnnxSessionOptions,
): Promise<OnnxEngine> {
  const { manifest } = mv;
  const { onnx, bytes } = graphBytes(mv, files);
  const prep = manifest.preprocessing;
  const problems = onnxTabularProblems(onnx.inputs, onnx.outputs, prep);
  if (problems.length > 0)
    throw new AppError(
      'PRECONDITION_FAILED',
      `Version ${mv.version} of "${mv.model}": the ONNX graph does not fit its preprocessing: ${problems[0]!.message}`,
    );
  const session = await createOnnxSession(bytes, options);
  const predictor = createOnnxRowPredictor(session, onnx.inputs[0]!, onnx.outputs[0]!.name);
  const run = (blocks: readonly RowBlock[]) =>
    predictBlocksAsync((x, rows, width) => predictor.predict(x, rows, width), prep, blocks);
  try {
    await run([rowsBlock([imputedRow(prep)])]);
  } catch (err) {
    predictor.dispose();
    throw new AppError(
      'PRECONDITION_FAILED',
      `Version ${mv.version} of "${mv.model}" failed its warm-up predict on ONNX Runtime: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  return { predictor, run };
}
