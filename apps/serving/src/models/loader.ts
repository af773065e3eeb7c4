import {
  AppError,
  exampleElements,
  isAppError,
  type ModelVersion,
  type Prediction,
  type TensorSignature,
} from '@mlops/contracts';
import {
  createPredictor,
  createTensorPredictor,
  loadBundleModel,
  loadTensorModel,
  type BundleModel,
  type Predictor,
  type TensorPredictor,
} from '@mlops/ml/bundle';
import { Batcher } from '../batching/batcher';
import { describeError } from './describe-error';
import { trainingRanges } from '../inference/input-ranges';
import type { ServingMetrics } from '../metrics';
import { imputedRow, predictRows } from './predict-rows';
import { LoadedModel, type ServingEngine } from './slot';
import { predictBlocks, type RowBlock } from './row-block';
import { runTensorBatch, type TensorAnswer, type TensorExample } from './tensor-batch';
import type { ModelSource } from './source';
import {
  loadOnnxEngine,
  loadOnnxTensorEngine,
  type OnnxEngine,
  type OnnxTensorEngine,
} from './onnx-engine';
import { DEFAULT_RUNTIME_OPTIONS, chooseRuntime, type RuntimeOptions } from './runtime';

/** The bundle file holding the training split's profile (contracts bundleManifestSchema). */
const PROFILE_FILE = 'profile.json';

export interface BatchingOptions {
  maxBatchRows: number;
  maxLatencyMs: number;
  maxQueueRows: number;
  /** Requests still queued after this long are refused with 503 + Retry-After. */
  timeoutMs?: number;
  /**
   * A tensor model's batch holds at most this many input values (SERVING_MAX_REQUEST_VALUES):
   * 256 examples of 224×224×3 would stack 154 MB of float32 into one predict call.
   */
  maxBatchValues?: number;
}

export interface LoaderDeps {
  source: ModelSource;
  batching: BatchingOptions;
  metrics: ServingMetrics;
  /** SERVING_RUNTIME and ONNX session options; TF.js unless a bundle has an ONNX graph. */
  runtime?: RuntimeOptions;
}

/** Nothing left to free: what the version runs on is the predictor's (or a session's). */
const NOTHING_TO_FREE = { dispose: () => undefined };

/**
 * The predictor a version serves with, warmed, and what else must stay loaded for it: a dense
 * model runs as a compiled op list once it gave model.predict's answers on probe rows, anything
 * else keeps model.predict (predictor.ts says why). The first predict compiles kernels and
 * allocates; paying it here keeps it off a request, and a model whose output does not fit its
 * preprocessing is refused before serving.
 *
 * A compiled plan runs on its own copy of the weights (`ownWeights`), so the TF.js model is
 * disposed as soon as the plan is trusted: nothing calls model.predict afterwards (the engine
 * of a loaded version never changes), and keeping it would keep a second copy of every weight
 * and, on wasm, XNNPACK's packed copy made by the probe's model.predict.
 */
function warmPredictor(
  model: BundleModel,
  mv: ModelVersion,
): { predictor: Predictor; model: { dispose(): void } } {
  const prep = mv.manifest.preprocessing;
  let predictor: Predictor | undefined;
  try {
    predictor = createPredictor(model, prep.inputWidth, { ownWeights: true });
    if (predictor.engine !== 'model') model.dispose();
    predictRows(predictor, prep, [imputedRow(prep)]);
    return { predictor, model: predictor.engine === 'model' ? model : NOTHING_TO_FREE };
  } catch (err) {
    predictor?.dispose();
    if (predictor?.engine === 'model' || !predictor) model.dispose();
    throw warmupFailed(mv, err);
  }
}

function warmupFailed(mv: ModelVersion, err: unknown): AppError {
  return new AppError(
    'PRECONDITION_FAILED',
    `Version ${mv.version} of "${mv.model}" failed its warm-up predict: ${describeError(err).message}`,
  );
}

/** A tensor model's predictor, warmed on one all-zero example per input. */
function warmTensorPredictor(
  predictor: TensorPredictor,
  tensors: TensorSignature,
  mv: ModelVersion,
): void {
  try {
    const feeds = Object.fromEntries(
      tensors.inputs.map((i) => [
        i.name,
        { data: new Float32Array(exampleElements(i.shape)), shape: [1, ...i.shape.slice(1)] },
      ]),
    );
    predictor.predictTensors(feeds);
  } catch (err) {
    throw warmupFailed(mv, err);
  }
}

/** Examples per tensor batch: the row bound, lowered so a batch stays within its value bound. */
export function tensorBatchRows(batching: BatchingOptions, tensors: TensorSignature): number {
  const perExample = tensors.inputs.reduce((n, i) => n + exampleElements(i.shape), 0);
  const byValues = Math.floor((batching.maxBatchValues ?? Infinity) / perExample);
  return Math.max(1, Math.min(batching.maxBatchRows, byValues));
}

/** A tensor model never takes rows: infer answers before reaching this batcher. */
function refuseRows(): never {
  throw new AppError('VALIDATION_FAILED', 'this model takes tensors, not feature records');
}

/**
 * A version's ONNX engine. An imported graph (primary) that fails to load fails the version; an
 * export answers its error, and the caller serves the TF.js model instead.
 */
async function loadOnnx(
  mv: ModelVersion,
  files: ReadonlyMap<string, Uint8Array>,
  options: RuntimeOptions,
): Promise<{ rows: OnnxEngine } | { tensors: OnnxTensorEngine } | { error: string }> {
  try {
    return mv.manifest.signature.tensors
      ? { tensors: await loadOnnxTensorEngine(mv, files, options.onnx) }
      : { rows: await loadOnnxEngine(mv, files, options.onnx) };
  } catch (err) {
    if (mv.manifest.onnx?.primary) throw err;
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Download, verify, load and warm one version. Nothing here touches the slot: the caller swaps
 * the result in only when every step succeeded, so a bad version never replaces a good one.
 */
export async function loadVersion(
  deps: LoaderDeps,
  mv: ModelVersion,
  /** Notes the wall time of each step (the caller's debug log line). */
  mark?: (step: string) => void,
): Promise<LoadedModel> {
  const { manifest } = mv;
  const files = await deps.source.fetchFiles(manifest);
  mark?.('fetchMs');
  // Verifies every file's size and sha256 against the manifest before reading a byte of it.
  const tensors = manifest.signature.tensors;
  const runtimeOptions = deps.runtime ?? DEFAULT_RUNTIME_OPTIONS;
  let decision = chooseRuntime(manifest, runtimeOptions.choice);
  let model: { dispose(): void };
  let predictor: ServingEngine;
  let tensorPredictor: TensorPredictor | null = null;
  // Set for a version on ONNX Runtime; TF.js versions keep their synchronous run (benchmarked).
  let onnxRun: ((blocks: RowBlock[]) => Promise<Prediction[][]>) | null = null;
  let onnxTensorRun: ((examples: TensorExample[]) => Promise<TensorAnswer[]>) | null = null;
  const onnx = decision.runtime === 'onnx' ? await loadOnnx(mv, files, runtimeOptions) : null;
  if (onnx && 'error' in onnx)
    // An export is an optimisation of the TF.js model, which stays the fallback.
    decision = { runtime: 'tfjs', reason: `the ONNX export did not load: ${onnx.error}` };
  if (onnx && 'rows' in onnx) {
    // The session is the model: the predictor releases it, nothing else to free.
    model = NOTHING_TO_FREE;
    predictor = onnx.rows.predictor;
    onnxRun = onnx.rows.run;
  } else if (onnx && 'tensors' in onnx) {
    model = NOTHING_TO_FREE;
    predictor = onnx.tensors.predictor;
    onnxTensorRun = onnx.tensors.run;
  } else if (tensors) {
    const tensorModel = await loadTensorModel(manifest, files);
    model = tensorModel;
    try {
      tensorPredictor = createTensorPredictor(tensorModel, tensors);
      warmTensorPredictor(tensorPredictor, tensors, mv);
    } catch (err) {
      tensorModel.dispose();
      throw isAppError(err) && err.code === 'PRECONDITION_FAILED' ? err : warmupFailed(mv, err);
    }
    const tp = tensorPredictor;
    predictor = { engine: 'tensor', fallbackReason: null, dispose: () => tp.dispose() };
  } else {
    const bundleModel = await loadBundleModel(manifest, files);
    mark?.('loadMs');
    ({ predictor, model } = warmPredictor(bundleModel, mv));
    mark?.('warmMs');
  }
  const labels = { model: mv.model, version: String(mv.version) };
  // Cells bound once: prom-client hashes a label set on every call, children included, and with
  // many models loaded a batch is often a single request.
  const batches = deps.metrics.batches.cell(labels);
  const inferenceRows = deps.metrics.inferenceRows.cell(labels);
  const computeSeconds = deps.metrics.computeSeconds.labels(labels);
  const queueSeconds = deps.metrics.queueSeconds.labels(labels);
  const onBatch = (stats: { rows: number; computeMs: number; queueMs: number[] }) => {
    batches.inc();
    inferenceRows.inc(stats.rows);
    computeSeconds.observe(stats.computeMs / 1000);
    for (const ms of stats.queueMs) queueSeconds.observe(ms / 1000);
  };
  const rowPredictor = predictor;
  const batcher = new Batcher<RowBlock, Prediction[]>({
    ...deps.batching,
    rowsOf: (block) => block.rows,
    run: onnxRun
      ? onnxRun
      : tensors
        ? refuseRows
        : (blocks) => {
            const p = rowPredictor as Predictor;
            return predictBlocks((x, n, w) => p.predict(x, n, w), manifest.preprocessing, blocks);
          },
    onBatch,
  });
  const batchPredictor = tensorPredictor;
  const tensorRun =
    onnxTensorRun ??
    (batchPredictor
      ? (examples: TensorExample[]) => runTensorBatch(batchPredictor, examples)
      : null);
  const tensorBatcher = tensorRun
    ? new Batcher<TensorExample, TensorAnswer>({
        ...deps.batching,
        maxBatchRows: tensorBatchRows(deps.batching, tensors!),
        run: tensorRun,
        onBatch,
      })
    : null;
  const loaded = new LoadedModel(
    mv.model,
    mv.version,
    manifest,
    model,
    predictor,
    batcher,
    new Date(),
    tensorBatcher,
  );
  if (!tensors) loaded.ranges = trainingRanges(manifest.signature, files.get(PROFILE_FILE));
  loaded.runtime = {
    runtime: decision.runtime,
    reason: decision.reason,
    onnxThreads: decision.runtime === 'onnx' ? runtimeOptions.onnx.intraOpThreads : null,
  };
  const runtimeLabels = { ...labels, runtime: decision.runtime };
  deps.metrics.loadedVersions.inc(labels);
  deps.metrics.versionRuntime.set(runtimeLabels, loaded.runtime.onnxThreads ?? 0);
  loaded.onDisposed = () => {
    batches.release();
    inferenceRows.release();
    deps.metrics.loadedVersions.dec(labels);
    deps.metrics.versionRuntime.remove(runtimeLabels);
  };
  return loaded;
}
