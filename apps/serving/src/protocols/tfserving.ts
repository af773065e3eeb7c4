import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  isResourceName,
  tfColumnarRequestSchema,
  zodIssuesToDetails,
  describeDetails,
  type Signature,
  type TensorSignature,
  type TfServingErrorBody,
} from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import { protocolErrorHandler } from '../errors';
import { acceptJsonOfAnyType } from '../json-body';
import { infer, type InferDeps } from '../inference/infer';
import { flagOutOfRange } from './out-of-range';
import type { Target } from '../routing/routes-config';
import { countingErrors, requestCounter, type RequestCounter } from './request-counter';
import { availableStatus, modelStatus } from '../routes/status';
import { decodeImages, singleImageInput, type TensorReadOptions } from './tensor-inputs';
import {
  columnsToTensors,
  instancesToTensors,
  tensorOutputs,
  tensorPredictions,
} from './tfserving-tensors';
import { inputSpecs, outputSpecs, predictionColumns, tfDtype, type TensorSpec } from './tensors';

/** Header carrying the sticky key of a canary split (same key → same side). */
export const ROUTE_KEY_HEADER = 'x-request-key';

/**
 * `/v1/models/iris:predict` has its verb after a colon inside the last segment, which
 * Fastify's router would read as a parameter; the segment is one parameter, split here.
 */
export function splitNameAndVerb(segment: string): { name: string; verb: string | null } {
  const at = segment.indexOf(':');
  return at < 0
    ? { name: segment, verb: null }
    : { name: segment.slice(0, at), verb: segment.slice(at + 1) };
}

function bad(message: string, path?: string): AppError {
  return new AppError('VALIDATION_FAILED', message, path ? [{ path, message }] : undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{"inputs": {"x": [..], "color": [..]}}` → one record per row; columns must align. */
export function columnsToRecords(
  inputs: Record<string, unknown[]>,
): Array<Record<string, unknown>> {
  const names = Object.keys(inputs);
  if (names.length === 0)
    throw bad('"inputs" names no feature: send {"inputs": {"feature": [values…]}}', 'inputs');
  const n = inputs[names[0]!]!.length;
  for (const name of names) {
    if (inputs[name]!.length !== n) {
      throw bad(
        `every input column must have the same length: "${names[0]}" has ${n}, "${name}" has ${inputs[name]!.length}`,
        `inputs.${name}`,
      );
    }
  }
  const records = new Array<Record<string, unknown>>(n);
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = {};
    for (const name of names) r[name] = inputs[name]![i];
    records[i] = r;
  }
  return records;
}

interface PredictBody {
  kind: 'rows' | 'columns' | 'image';
  /** Feature records for a tabular model (columns are checked once the model is known). */
  records: (signature: Signature) => unknown[];
  /** Named tensors for a tensor model. */
  tensors: (
    signature: TensorSignature,
    opts: TensorReadOptions,
  ) => Promise<Record<string, TensorValue>>;
}

function parseColumns(body: Record<string, unknown>): unknown[] {
  const parsed = tfColumnarRequestSchema.safeParse(body);
  if (!parsed.success) {
    const details = zodIssuesToDetails(parsed.error.issues);
    throw new AppError(
      'VALIDATION_FAILED',
      `Invalid "inputs": ${describeDetails(details)}`,
      details,
    );
  }
  return columnsToRecords(parsed.data.inputs);
}

/**
 * A predict body, checked by hand (the hot path): rows or columns, never both, or the raw
 * bytes of an image (`Content-Type: image/jpeg|png`) for a model with one image input.
 */
function readBody(body: unknown, model: string): PredictBody {
  if (body instanceof Uint8Array) {
    return {
      kind: 'image',
      records: () => {
        singleImageInput(undefined, model); // throws: a tabular model takes no image body
        return [];
      },
      tensors: async (signature, opts) => {
        const input = singleImageInput(signature, model);
        return { [input.name]: await decodeImages(input, [body], opts) };
      },
    };
  }
  if (!isObject(body))
    throw bad('The body must be a JSON object with "instances" (rows) or "inputs" (columns)');
  const hasRows = body.instances !== undefined;
  const hasColumns = body.inputs !== undefined;
  if (hasRows && hasColumns)
    throw bad('Send either "instances" (rows) or "inputs" (columns), never both', 'inputs');
  if (body.signature_name !== undefined && typeof body.signature_name !== 'string') {
    throw bad('"signature_name" must be a string', 'signature_name');
  }
  if (hasRows) {
    if (!Array.isArray(body.instances))
      throw bad('"instances" must be an array of feature records', 'instances');
    const instances = body.instances as unknown[];
    return {
      kind: 'rows',
      records: () => instances,
      tensors: (signature, opts) => instancesToTensors(signature, instances, opts),
    };
  }
  if (hasColumns) {
    return {
      kind: 'columns',
      records: () => parseColumns(body),
      tensors: (signature, opts) => columnsToTensors(signature, body.inputs, opts),
    };
  }
  throw bad('The body has neither "instances" (rows) nor "inputs" (columns)', 'instances');
}

function parseVersion(text: string): number {
  const v = /^[1-9]\d{0,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v)) throw bad(`"${text}" is not a version number (1, 2, …)`, 'version');
  return v;
}

function parseTarget(name: string, version?: string, label?: string): Target {
  if (!isResourceName(name)) {
    throw new AppError('NOT_FOUND', `"${name}" is not a model name: see GET /v1/models`);
  }
  if (version !== undefined) return { model: name, version: parseVersion(version) };
  if (label !== undefined) {
    if (!isResourceName(label)) throw bad(`"${label}" is not an alias name`, 'label');
    return { model: name, alias: label };
  }
  return { model: name };
}

function tensorInfo(specs: TensorSpec[]) {
  return Object.fromEntries(
    specs.map((s) => [
      s.name,
      {
        dtype: tfDtype(s.datatype),
        tensor_shape: { dim: s.shape.map((d) => ({ size: String(d) })) },
        name: s.name,
      },
    ]),
  );
}

/** TF Serving's GetModelMetadata JSON: the `serving_default` signature with every feature. */
export function tfMetadata(name: string, version: number, signature: Signature) {
  return {
    model_spec: { name, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: tensorInfo(inputSpecs(signature)),
            outputs: tensorInfo(outputSpecs(signature)),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

/** TF Serving's error body: `{"error": "<message>"}`, our code and details beside it. */
export function tfServingErrorBody(e: AppError): TfServingErrorBody {
  return { error: e.message, code: e.code, ...(e.details ? { details: e.details } : {}) };
}

/**
 * TF Serving REST: status, metadata and predict, for the followed alias, a version or a label,
 * in a context of their own so errors answer in TF Serving's shape.
 */
export function tfServingRoutes(root: FastifyInstance, deps: InferDeps, bodyLimit: number): void {
  void root.register((app, _opts, done) => {
    const counter = requestCounter(deps);
    app.setErrorHandler(
      countingErrors(protocolErrorHandler(bodyLimit, tfServingErrorBody), counter, modelParam),
    );
    // `curl --data-binary @x.jpg -H 'Content-Type: image/jpeg'`: the bytes, bounded like JSON.
    app.addContentTypeParser(
      ['image/jpeg', 'image/png'],
      { parseAs: 'buffer', bodyLimit },
      (_request, body, parsed) => parsed(null, body),
    );
    // Any other content type (a form type from `curl -d`, none from `requests.post(data=…)`)
    // is read as JSON, as TF Serving does.
    acceptJsonOfAnyType(app, bodyLimit);
    registerTfServingRoutes(app, deps, counter);
    done();
  });
}

/** The model a predict route names, from its path parameters (the error handler has no target). */
function modelParam(request: FastifyRequest): string {
  const params = request.params as { nameAndVerb?: string; name?: string } | undefined;
  return params?.name ?? splitNameAndVerb(params?.nameAndVerb ?? '').name;
}

function registerTfServingRoutes(
  app: FastifyInstance,
  deps: InferDeps,
  counter: RequestCounter,
): void {
  const { models } = deps;

  async function predict(
    target: Target,
    verb: string | null,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    if (verb !== 'predict') {
      throw new AppError(
        'NOT_FOUND',
        `Unsupported call "${verb ?? ''}": use POST /v1/models/<name>:predict`,
      );
    }
    const { kind, records, tensors } = readBody(request.body, target.model);
    const key = request.headers[ROUTE_KEY_HEADER];
    const result = await infer(deps, {
      target,
      protocol: 'tfserving',
      records,
      tensors,
      routeKey: typeof key === 'string' ? key : undefined,
      principal: request.principal?.name ?? null,
      renamePath:
        kind === 'columns'
          ? (p) => p.replace(/^instances\[(\d+)\]\.(.*)$/, 'inputs.$2[$1]')
          : undefined,
    });
    const model = { name: result.model, version: result.version, alias: result.alias };
    counter.count(target.model, 200);
    const outOfRange = flagOutOfRange(reply, result.outOfRange);
    const tensorSignature = result.signature.tensors;
    if (result.tensors && tensorSignature) {
      const answer =
        kind === 'columns'
          ? { outputs: tensorOutputs(tensorSignature, result.tensors) }
          : { predictions: tensorPredictions(tensorSignature, result.tensors) };
      return { ...answer, model, predictionIds: result.ids };
    }
    if (kind !== 'columns')
      return { predictions: result.predictions, model, predictionIds: result.ids, ...outOfRange };
    return {
      outputs: predictionColumns(result.signature, result.predictions),
      model,
      predictionIds: result.ids,
      ...outOfRange,
    };
  }

  async function status(target: Target) {
    if (target.version === undefined && target.alias === undefined) {
      const slot = models.get(target.model);
      if (!slot) throw models.unknownModel(target.model);
      return modelStatus(slot);
    }
    const loaded = await models.acquire(target);
    loaded.release();
    return availableStatus(loaded.version);
  }

  async function metadata(target: Target) {
    const loaded = await models.acquire(target);
    loaded.release();
    return tfMetadata(loaded.name, loaded.version, loaded.manifest.signature);
  }

  app.post<{ Params: { nameAndVerb: string } }>('/v1/models/:nameAndVerb', (request, reply) => {
    const { name, verb } = splitNameAndVerb(request.params.nameAndVerb);
    return predict(parseTarget(name), verb, request, reply);
  });
  app.post<{ Params: { name: string; v: string } }>(
    '/v1/models/:name/versions/:v',
    (request, reply) => {
      const { name: v, verb } = splitNameAndVerb(request.params.v);
      return predict(parseTarget(request.params.name, v), verb, request, reply);
    },
  );
  app.post<{ Params: { name: string; l: string } }>(
    '/v1/models/:name/labels/:l',
    (request, reply) => {
      const { name: l, verb } = splitNameAndVerb(request.params.l);
      return predict(parseTarget(request.params.name, undefined, l), verb, request, reply);
    },
  );

  app.get<{ Params: { nameAndVerb: string } }>('/v1/models/:nameAndVerb', (request) => {
    const { name, verb } = splitNameAndVerb(request.params.nameAndVerb);
    if (verb !== null)
      throw new AppError('NOT_FOUND', `"${verb}" is called with POST /v1/models/<name>:${verb}`);
    return status(parseTarget(name));
  });
  app.get<{ Params: { name: string; v: string } }>('/v1/models/:name/versions/:v', (request) =>
    status(parseTarget(request.params.name, request.params.v)),
  );
  app.get<{ Params: { name: string; l: string } }>('/v1/models/:name/labels/:l', (request) =>
    status(parseTarget(request.params.name, undefined, request.params.l)),
  );
  app.get<{ Params: { name: string } }>('/v1/models/:name/metadata', (request) =>
    metadata(parseTarget(request.params.name)),
  );
  app.get<{ Params: { name: string; v: string } }>(
    '/v1/models/:name/versions/:v/metadata',
    (request) => metadata(parseTarget(request.params.name, request.params.v)),
  );
  app.get<{ Params: { name: string; l: string } }>(
    '/v1/models/:name/labels/:l/metadata',
    (request) => metadata(parseTarget(request.params.name, undefined, request.params.l)),
  );
  app.get<{ Params: { model: string } }>('/v1/shadow/:model', (request) => ({
    model: request.params.model,
    comparisons: deps.shadow.list(request.params.model),
  }));
}
