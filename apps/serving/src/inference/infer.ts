import {
  AppError,
  describeDetails,
  isAppError,
  type DataRow,
  type ErrorDetail,
  type Prediction,
  type Signature,
  type TensorSignature,
} from '@mlops/contracts';
import { checkTensorFeeds, type TensorValue } from '@mlops/ml/bundle';
import { checkRecords, columnsFit } from '@mlops/ml/records';
import type { ServingMetrics } from '../metrics';
import type { ModelSet } from '../models/model-set';
import type { LoadedModel } from '../models/slot';
import { columnsBlock, rowsBlock, type FeatureColumns } from '../models/row-block';
import { joinAnswers, splitExamples } from '../models/tensor-batch';
import { sourceSizes, tensorLogRow, tensorPrediction } from './tensor-log';
import type { TensorReadOptions } from '../protocols/tensor-inputs';
import { pickAlias, type RoutesConfig, type Target } from '../routing/routes-config';
import {
  knownCategories,
  screenColumns,
  screenRows,
  unknownCategoryError,
  type Screened,
  type ScreenedColumns,
  type UnknownCategoryMode,
} from './data-quality';
import {
  checkColumnRanges,
  checkFiniteOutputs,
  checkInputRanges,
  type OutOfRange,
} from './input-ranges';
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
  /**
   * The request's features by column, for a protocol that sends them so (TF Serving `inputs`, OIP
   * v2 tensors): only the signature's inputs, unchecked. A tabular model checks, screens and
   * encodes them column by column with no record per row; when a cell does not fit, `records`
   * answers instead and its check names the cell. Null when the body is not plain columns.
   */
  columns?: (signature: Signature) => FeatureColumns | null;
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
function countQuality(
  metrics: ServingMetrics,
  loaded: LoadedModel,
  screened: Screened | ScreenedColumns,
): void {
  const version = String(loaded.version);
  for (const [feature, n] of screened.unknown)
    metrics.unknownCategories.inc({ model: loaded.name, version, feature }, n);
  for (const [feature, n] of screened.outside)
    metrics.outsideTrainingRange.inc({ model: loaded.name, version, feature }, n);
}

function validation(message: string, details: ErrorDetail[]): AppError {
  return new AppError('VALIDATION_FAILED', `${message}: ${describeDetails(details)}`, details);
}

function tooManyRows(rows: number, max: number): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `The request has ${rows} rows; at most ${max} are accepted per request: split it`,
  );
}

const NO_ROWS = () =>
  validation('No rows to predict', [
    { path: 'instances', message: 'must contain at least one record' },
  ]);

/**
 * True when a request's columns are the usual request: every input present and every cell
 * valid. Then it is checked, screened and encoded column by column; otherwise its records go
 * the rows' way, whose checks name what is wrong (the same answers, from either form).
 */
function fitsAsColumns(signature: Signature, columns: FeatureColumns, maxRows: number): boolean {
  if (columns.rows === 0) throw NO_ROWS();
  if (columns.rows > maxRows) throw tooManyRows(columns.rows, maxRows);
  return columnsFit(signature, (name) => columns.cells.get(name), columns.rows);
}

/** The columns with a column of nulls for each nullable input left out, as records get them. */
function withNullColumns(signature: Signature, columns: FeatureColumns): FeatureColumns {
  if (signature.inputs.every((c) => columns.cells.has(c.name))) return columns;
  const cells = new Map<string, ArrayLike<unknown>>();
  for (const c of signature.inputs)
    cells.set(c.name, columns.cells.get(c.name) ?? new Array<null>(columns.rows).fill(null));
  return { rows: columns.rows, cells };
}

/** The request's records checked against the signature: its rows, or a 400 naming each cell. */
function checkedRows(
  deps: InferDeps,
  req: InferRequest,
  loaded: LoadedModel,
  signature: Signature,
): DataRow[] {
  const records = typeof req.records === 'function' ? req.records(signature) : req.records;
  if (records.length === 0) throw NO_ROWS();
  if (records.length > deps.maxRequestRows) throw tooManyRows(records.length, deps.maxRequestRows);
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
  return checked.rows;
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
    const columns = req.columns?.(signature) ?? null;
    const request: { columns: FeatureColumns } | { rows: DataRow[] } =
      columns && fitsAsColumns(signature, columns, deps.maxRequestRows)
        ? { columns: withNullColumns(signature, columns) }
        : { rows: checkedRows(deps, req, loaded, signature) };
    let categories = categoriesOf.get(loaded);
    if (!categories) categoriesOf.set(loaded, (categories = knownCategories(loaded.manifest)));
    const mode = deps.unknownCategory;
    const screened =
      'columns' in request
        ? screenColumns(request.columns, categories, loaded.ranges, mode, req.renamePath)
        : screenRows(request.rows, categories, loaded.ranges, mode, req.renamePath);
    countQuality(metrics, loaded, screened);
    if (screened.refused.length > 0) throw unknownCategoryError(screened.refused);
    const served = 'columns' in screened ? screened.columns : screened.rows;
    const outOfRange =
      'columns' in screened
        ? checkColumnRanges(signature, loaded.ranges, screened.columns, req.renamePath)
        : checkInputRanges(signature, loaded.ranges, screened.rows, req.renamePath);
    const block = 'columns' in screened ? columnsBlock(screened.columns) : rowsBlock(screened.rows);
    const [predictions = []] = await loaded.batcher.submit([block]);
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
      served,
      predictions,
      req.principal ?? null,
      screened.flags,
    );
    const success = successTally(loaded, req.protocol);
    metrics.success.tally(success.key, success.labels);
    const mirror = route ?? deps.routes.get(target.model);
    if (mirror?.shadow && req.target.version === undefined && req.target.alias === undefined) {
      deps.shadow.mirror(mirror, loaded.name, loaded.version, block, predictions);
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
