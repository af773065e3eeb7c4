import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isResourceName, type TfServingErrorBody } from '@mlops/contracts';
import { protocolErrorHandler } from '../errors';
import { acceptJsonOfAnyType } from '../json-body';
import { infer, type InferDeps } from '../inference/infer';
import { flagOutOfRange } from './out-of-range';
import type { Target } from '../routing/routes-config';
import { countingErrors, requestCounter, type RequestCounter } from './request-counter';
import { availableStatus, modelStatus } from '../routes/status';
import { bad, readBody } from './tfserving-body';
import { tensorOutputs, tensorPredictions } from './tfserving-tensors';
import { predictionColumns } from './tensors';
import { specOutputs, specPredictions, tfMetadata } from './tfserving-signatures';
import {
  checkExamplesModel,
  examplesResults,
  readExamples,
  type ExamplesVerb,
} from './tfserving-examples';

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

/**
 * `?format=platform` asks for the platform's own prediction records instead of TF Serving's
 * shape: `{label, probabilities: {<label>: p}}` or `{value}` per row (contracts'
 * `predictResponseSchema`), columns `{label, probabilities}` or `{value}`. The CLI and the demo
 * scripts read labels by name through it.
 */
export const PLATFORM_FORMAT = 'platform';

function wantsPlatformShape(request: FastifyRequest): boolean {
  const { format } = (request.query ?? {}) as { format?: unknown };
  if (format === undefined) return false;
  if (format === PLATFORM_FORMAT) return true;
  throw bad(
    `Unknown format ${JSON.stringify(format)}: leave it out for TF Serving's answer, or send ?format=${PLATFORM_FORMAT} for labels with probabilities by name`,
    'format',
  );
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

  async function call(
    target: Target,
    verb: string | null,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    if (verb === 'classify' || verb === 'regress') return examples(target, verb, request, reply);
    if (verb !== 'predict') {
      throw new AppError(
        'NOT_FOUND',
        `Unsupported call "${verb ?? ''}": use POST /v1/models/<name>:predict, :classify or :regress`,
      );
    }
    const platform = wantsPlatformShape(request);
    const { kind, records, columns, tensors } = readBody(request.body, target.model);
    const key = request.headers[ROUTE_KEY_HEADER];
    const result = await infer(deps, {
      target,
      protocol: 'tfserving',
      records,
      columns,
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
    const { signature, predictions } = result;
    const answer =
      kind !== 'columns'
        ? { predictions: platform ? predictions : specPredictions(signature, predictions) }
        : {
            outputs: platform
              ? predictionColumns(signature, predictions)
              : specOutputs(signature, predictions),
          };
    return { ...answer, model, predictionIds: result.ids, ...outOfRange };
  }

  async function examples(
    target: Target,
    verb: ExamplesVerb,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const { signatureName, records } = readExamples(request.body);
    const key = request.headers[ROUTE_KEY_HEADER];
    const result = await infer(deps, {
      target,
      protocol: 'tfserving',
      records: (signature) => {
        checkExamplesModel(verb, signatureName, signature, target.model);
        return records;
      },
      routeKey: typeof key === 'string' ? key : undefined,
      principal: request.principal?.name ?? null,
      renamePath: (p) => p.replace(/^instances/, 'examples'),
    });
    counter.count(target.model, 200);
    return {
      results: examplesResults(verb, result.signature, result.predictions),
      model: { name: result.model, version: result.version, alias: result.alias },
      predictionIds: result.ids,
      ...flagOutOfRange(reply, result.outOfRange),
    };
  }

  async function status(target: Target) {
    if (target.version === undefined && target.alias === undefined) {
      const slot = models.get(target.model);
      if (!slot) throw models.unknownModel(target.model);
      const extra = models.cache
        .loadedVersions()
        .filter((l) => l.model === target.model)
        .map((l) => l.version);
      return modelStatus(slot, extra);
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
    return call(parseTarget(name), verb, request, reply);
  });
  app.post<{ Params: { name: string; v: string } }>(
    '/v1/models/:name/versions/:v',
    (request, reply) => {
      const { name: v, verb } = splitNameAndVerb(request.params.v);
      return call(parseTarget(request.params.name, v), verb, request, reply);
    },
  );
  app.post<{ Params: { name: string; l: string } }>(
    '/v1/models/:name/labels/:l',
    (request, reply) => {
      const { name: l, verb } = splitNameAndVerb(request.params.l);
      return call(parseTarget(request.params.name, undefined, l), verb, request, reply);
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
