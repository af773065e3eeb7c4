import {
  AppError,
  describeDetails,
  isAppError,
  type ErrorDetail,
  type Prediction,
  type Signature,
  type TensorSignature,
} from '@mlops/contracts';
import { checkTensorFeeds, type TensorValue } from '@mlops/ml/bundle';
import { checkRecords } from '@mlops/ml/records';
import type { ServingMetrics } from '../metrics';
import type { ModelSet } from '../models/model-set';
import type { LoadedModel } from '../models/slot';
import { joinAnswers, splitExamples } from '../models/tensor-batch';
import { sourceSizes, tensorLogRow, tensorPrediction } from './tensor-log';
import type { TensorReadOptions } from '../protocols/tensor-inputs';
import { pickAlias, type RoutesConfig, type Target } from '../routing/routes-config';
import {
  knownCategories,
  screenRows,
  unknownCategoryError,
  type Screened,
  type UnknownCategoryMode,
} from './data-quality';
import { checkFiniteOutputs, checkInputRanges, type OutOfRange } from './input-ranges';
import type { LogBuffer } from './log-buffer';
import type { PredictionIds } from './prediction-ids';
import type { ShadowRecorder } from './shadow';

export interface InferDeps {
  models: ModelSet;
  metrics: ServingMetrics;
  logBuffer: LogBuffer;
  shadow: ShadowRecorder;
  routes: RoutesConfig;
  maxRequestRows: number;
  /** SERVING_MAX_REQUEST_VALUES: what one request's encoded images may decode to. */
  maxRequestValues: number;
  /** SERVING_UNKNOWN_CATEGORY (data-quality.ts). */
  unknownCategory: UnknownCategoryMode;
  ids: PredictionIds;
}

export type Protocol = 'tfserving' | 'v2' | 'mlflow';

export interface InferRequest {
  target: Target;
  protocol: Protocol;
  /** Raw records, or a decoder that needs the model's signature (typed tensors). */
  records: unknown[] | ((signature: Signature) => unknown[]);
  /**
   * The request as named tensors, for a tensor model (signature.tensors); async because encoded
   * images are decoded. Absent: the protocol has no tensor form and a tensor model refuses.
   */
  tensors?: (
    signature: TensorSignature,
    opts: TensorReadOptions,
  ) => Promise<Record<string, TensorValue>>;
  /** Rewrites `instances[i].col` paths into the protocol's own vocabulary. */
  renamePath?: (path: string) => string;
  /** Sticky canary key (e.g. a user id header). */
  routeKey?: string | undefined;
  /** Who asked (the token's principal name): logged with the predictions. */
  principal?: string | null;
}

export interface InferResult {
  model: string;
  version: number;
  alias: string | null;
  signature: Signature;
  predictions: Prediction[];
  ids: string[];
  /** Numeric inputs far outside the version's training range (answered, but flagged). */
  outOfRange: OutOfRange[];
  /** A tensor model's answer: every output by name, [n, ...]; null for a tabular model. */
  tensors: Record<string, TensorValue> | null;
}

interface SuccessTally {
  key: string;
  labels: { model: string; version: string; protocol: Protocol };
}

/** Each version's success-counter key and labels per protocol, made once, not per request. */
const successTallies = new WeakMap<LoadedModel, Map<Protocol, SuccessTally>>();

function successTally(loaded: LoadedModel, protocol: Protocol): SuccessTally {
  let byProtocol = successTallies.get(loaded);
  if (!byProtocol) successTallies.set(loaded, (byProtocol = new Map<Protocol, SuccessTally>()));
  let tally = byProtocol.get(protocol);
  if (!tally) {
    const version = String(loaded.version);
    tally = {
      key: `${loaded.name}\u0000${version}\u0000${protocol}`,
      labels: { model: loaded.name, version, protocol },
    };
    byProtocol.set(protocol, tally);
  }
  return tally;
}

/** Each version's known categories, worked out once, not per request. */
const categoriesOf = new WeakMap<LoadedModel, ReturnType<typeof knownCategories>>();

/** Counts a request's unknown categories and out-of-range numerics per feature. */
function countQuality(metrics: ServingMetrics, loaded: LoadedModel, screened: Screened): void {
  const version = String(loaded.version);
  for (const [feature, n] of screened.unknown)
    metrics.unknownCategories.inc({ model: loaded.name, version, feature }, n);
  for (const [feature, n] of screened.outside)
    metrics.outsideTrainingRange.inc({ model: loaded.name, version, feature }, n);
}

function validation(message: string, details: ErrorDetail[]): AppError {
  return new AppError('VALIDATION_FAILED', `${message}: ${describeDetails(details)}`, details);
}

/**
 * The one path every protocol goes through: pick the version (canary split), check the rows
 * against its signature, run them through its batcher, log the payload, mirror to the shadow.
 * Protocols only translate their body into records and predictions into their response.
 */
export async function infer(deps: InferDeps, req: InferRequest): Promise<InferResult> {
  const { models, metrics } = deps;
  let target = req.target;
  const route =
    target.version === undefined && target.alias === undefined
      ? deps.routes.get(target.model)
      : undefined;
  if (route && route.splits.length > 0) {
    const alias = pickAlias(route, req.routeKey);
    metrics.canaryRequests.inc({ model: target.model, alias });
    target = { model: target.model, alias };
  }
  // The followed alias is taken without an await: one microtask less on every prediction.
  const loaded = models.acquireFollowed(target) ?? (await models.acquire(target));
  try {
    if (loaded.tensorBatcher) return await inferTensors(deps, req, loaded, target);
    const signature = loaded.manifest.signature;
    const records = typeof req.records === 'function' ? req.records(signature) : req.records;
    if (records.length === 0) {
      throw validation('No rows to predict', [
        { path: 'instances', message: 'must contain at least one record' },
      ]);
    }
    if (records.length > deps.maxRequestRows) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The request has ${records.length} rows; at most ${deps.maxRequestRows} are accepted per request: split it`,
      );
    }
    const checked = checkRecords(signature, records);
    if (!checked.ok) {
      const details = req.renamePath
        ? checked.details.map((d) => (d.path ? { ...d, path: req.renamePath!(d.path) } : d))
        : checked.details;
      throw validation(
        `Rows do not match the signature of "${loaded.name}" v${loaded.version}`,
        details,
      );
    }
    let categories = categoriesOf.get(loaded);
    if (!categories) categoriesOf.set(loaded, (categories = knownCategories(loaded.manifest)));
    const screened = screenRows(
      checked.rows,
      categories,
      loaded.ranges,
      deps.unknownCategory,
      req.renamePath,
    );
    countQuality(metrics, loaded, screened);
    if (screened.refused.length > 0) throw unknownCategoryError(screened.refused);
    const rows = screened.rows;
    const outOfRange = checkInputRanges(signature, loaded.ranges, rows, req.renamePath);
    const predictions = await loaded.batcher.submit(rows);
    checkFiniteOutputs(predictions, req.renamePath);
    for (const f of outOfRange) {
      metrics.outOfRangeInputs.inc({
        model: loaded.name,
        version: String(loaded.version),
        feature: f.feature,
      });
    }
    const ids = deps.ids.take(predictions.length);
    deps.logBuffer.add(
      loaded.name,
      loaded.version,
      ids,
      rows,
      predictions,
      req.principal ?? null,
      screened.flags,
    );
    const success = successTally(loaded, req.protocol);
    metrics.success.tally(success.key, success.labels);
    const mirror = route ?? deps.routes.get(target.model);
    if (mirror?.shadow && req.target.version === undefined && req.target.alias === undefined) {
      deps.shadow.mirror(mirror, loaded.name, loaded.version, rows, predictions);
    }
    const alias = target.alias ?? (target.version === undefined ? models.alias : null);
    return {
      model: loaded.name,
      version: loaded.version,
      alias,
      signature,
      predictions,
      ids,
      outOfRange,
      tensors: null,
    };
  } catch (err) {
    const reason = isAppError(err) ? err.code.toLowerCase() : 'internal';
    metrics.failure.inc({
      model: loaded.name,
      version: String(loaded.version),
      protocol: req.protocol,
      reason,
    });
    throw err;
  } finally {
    loaded.release();
  }
}

/** infer() for a tensor model: decode, check, queue the examples, join the answers. */
async function inferTensors(
  deps: InferDeps,
  req: InferRequest,
  loaded: LoadedModel,
  target: Target,
): Promise<InferResult> {
  const signature = loaded.manifest.signature;
  const tensors = signature.tensors!;
  if (!req.tensors)
    throw new AppError(
      'VALIDATION_FAILED',
      `"${loaded.name}" takes tensors (${tensors.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join('; ')}): send them with TF Serving (/v1/models/${loaded.name}:predict) or Open Inference Protocol v2 (/v2/models/${loaded.name}/infer)`,
    );
  const feeds = await req.tensors(tensors, { maxValues: deps.maxRequestValues });
  const batch = checkTensorFeeds(tensors, feeds);
  if (batch > deps.maxRequestRows)
    throw new AppError(
      'VALIDATION_FAILED',
      `The request has ${batch} examples; at most ${deps.maxRequestRows} are accepted per request: split it`,
    );
  const examples = splitExamples(tensors, feeds, batch);
  const answers = await loaded.tensorBatcher!.submit(examples);
  const ids = deps.ids.take(batch);
  const rows = examples.map((e, i) => tensorLogRow(tensors, e, sourceSizes(feeds, i)));
  const predictions = answers.map((a) => tensorPrediction(signature, a));
  deps.logBuffer.add(loaded.name, loaded.version, ids, rows, predictions, req.principal ?? null);
  const success = successTally(loaded, req.protocol);
  deps.metrics.success.tally(success.key, success.labels);
  const alias = target.alias ?? (target.version === undefined ? deps.models.alias : null);
  return {
    model: loaded.name,
    version: loaded.version,
    alias,
    signature,
    predictions,
    ids,
    outOfRange: [],
    tensors: joinAnswers(tensors, answers),
  };
}
