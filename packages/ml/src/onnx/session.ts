import ort from 'onnxruntime-node';
import { AppError, type OnnxElementType } from '@mlops/contracts';

/** ONNX Runtime session options serving exposes (SERVING_ONNX_THREADS). */
export interface OnnxSessionOptions {
  /**
   * Threads one run may use (intra-op). 1 by default: serving batches requests on one event
   * loop and replicas scale out, so one thread per session avoids oversubscribing the cores.
   */
  intraOpThreads: number;
}

export const DEFAULT_ONNX_SESSION_OPTIONS: OnnxSessionOptions = { intraOpThreads: 1 };

/** Values of one ONNX tensor, as ONNX Runtime's JS API takes and gives them. */
export type OnnxData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | string[];

export interface OnnxTensorValue {
  readonly type: OnnxElementType;
  readonly data: OnnxData;
  readonly dims: readonly number[];
}

/** One loaded graph: run named feeds, get named outputs. Dispose frees the native session. */
export interface OnnxSession {
  readonly options: OnnxSessionOptions;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, OnnxTensorValue>>): Promise<Record<string, OnnxTensorValue>>;
  dispose(): Promise<void>;
}

function toOrt(v: OnnxTensorValue): ort.Tensor {
  return new ort.Tensor(v.type, v.data, [...v.dims]);
}

/**
 * Load a graph into an ONNX Runtime CPU session. A graph ONNX Runtime refuses (unknown op,
 * opset too new, malformed) is VALIDATION_FAILED with its message: the caller is the import.
 */
export async function createOnnxSession(
  bytes: Uint8Array,
  options: OnnxSessionOptions = DEFAULT_ONNX_SESSION_OPTIONS,
): Promise<OnnxSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new AppError('VALIDATION_FAILED', `ONNX Runtime cannot load the graph: ${message}`, [
      { path: 'files', message },
    ]);
  }
  let disposed = false;
  return {
    options,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrt(value);
      const out = await session.run(ortFeeds);
      const answer: Record<string, OnnxTensorValue> = {};
      for (const [name, t] of Object.entries(out)) {
        // CPU outputs hold JS arrays ORT's binding filled: nothing native stays behind.
        answer[name] = { type: t.type as OnnxElementType, data: t.data, dims: t.dims };
      }
      return answer;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}
