import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  describeDetails,
  isResourceName,
  type Signature,
  type V2InferResponse,
  type V2ModelMetadata,
} from '@mlops/contracts';
import { protocolErrorHandler } from '../errors';
import { infer, type InferDeps } from '../inference/infer';
import type { Target } from '../routing/routes-config';
import { flagOutOfRange } from './out-of-range';
import { countingErrors, requestCounter } from './request-counter';
import { ROUTE_KEY_HEADER } from './tfserving';
import { inputSpecs, outputSpecs, predictionColumns } from './tensors';
import { tensorsToColumns, tensorsToRecords } from './v2-records';
import { jsonTextParser } from '../json-body';
import {
  BINARY_HEADER,
  binaryOutputs,
  binaryResponse,
  binaryTensorRequest,
  jsonTensorRequest,
  v2TensorOutputs,
  v2ToTensors,
} from './v2-tensors';

type ParsedBody = (err: Error | null, body?: unknown) => void;

/**
 * The status of a "not ready" answer. KServe's V2 protocol text: "A 200 status code indicates
 * true and a 4xx status code indicates false" for the health and model ready APIs; 400 as
 * Triton answers. Kubernetes probes fail on it as on a 503.
 */
const NOT_READY = 400;

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

export function v2Metadata(
  name: string,
  versions: string[],
  signature: Signature,
): V2ModelMetadata {
  return {
    name,
    versions,
    platform: 'tensorflowjs_layers',
    inputs: inputSpecs(signature),
    outputs: outputSpecs(signature),
  };
}

function parseTarget(model: string, version?: string): Target {
  if (!isResourceName(model)) throw new AppError('NOT_FOUND', `Unknown model "${model}"`);
  if (version === undefined) return { model };
  if (!/^[1-9]\d{0,9}$/.test(version)) throw bad(`"${version}" is not a model version (1, 2, …)`);
  return { model, version: Number(version) };
}

/** Open Inference Protocol v2 (KServe, Triton) under `/v2`, with its `{"error": "…"}` body. */
export function v2Routes(app: FastifyInstance, deps: InferDeps, bodyLimit: number): void {
  const { models } = deps;
  void app.register(
    (v2, _opts, done) => {
      const counter = requestCounter(deps);
      v2.setErrorHandler(
        countingErrors(
          protocolErrorHandler(bodyLimit, (e) => ({
            // A message that already states its details (`input "x": …`) is sent as is.
            error:
              e.details && !e.details.every((d) => e.message.includes(d.message))
                ? `${e.message.split(': ')[0]}: ${describeDetails(e.details)}`
                : e.message,
          })),
          counter,
          (request) => (request.params as { m?: string } | undefined)?.m ?? '',
        ),
      );

      // JSON whatever the content type (as TF Serving, and KServe's own server, read it: a
      // form type from `curl -d`, none from `requests.post(data=…)`), except a body announced
      // by Inference-Header-Content-Length (the binary tensor extension), which stays raw
      // bytes whatever content type the client put on it.
      const parseJson = jsonTextParser(v2);
      const jsonOrBinary = (request: FastifyRequest, body: Buffer, parsed: ParsedBody) => {
        if (request.headers[BINARY_HEADER] !== undefined) return parsed(null, body);
        parseJson(request, body.toString('utf8'), parsed);
      };
      v2.removeContentTypeParser(['application/json', 'text/plain']);
      v2.addContentTypeParser(
        ['application/json', 'application/octet-stream'],
        { parseAs: 'buffer', bodyLimit },
        (request, body, parsed) => jsonOrBinary(request, body as Buffer, parsed),
      );
      v2.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, parsed) =>
        jsonOrBinary(request, body as Buffer, parsed),
      );

      v2.get('/', () => ({
        name: 'mlops-serving',
        version: '0.1.0',
        extensions: ['binary_tensor_data'],
      }));
      v2.get('/health/live', () => ({ live: true }));
      v2.get('/health/ready', (_request, reply) => {
        const ready = models.ready();
        return reply.status(ready ? 200 : NOT_READY).send({ ready });
      });

      async function metadata(target: Target) {
        const loaded = await models.acquire(target);
        loaded.release();
        return v2Metadata(loaded.name, loadedVersions(loaded.name), loaded.manifest.signature);
      }
      v2.get<{ Params: { m: string } }>('/models/:m', (r) => metadata(parseTarget(r.params.m)));
      v2.get<{ Params: { m: string; v: string } }>('/models/:m/versions/:v', (r) =>
        metadata(parseTarget(r.params.m, r.params.v)),
      );

      /** Every version of `model` in memory, followed or pinned: what may be asked for by number. */
      function loadedVersions(model: string): string[] {
        const versions = new Set(
          models.cache
            .loadedVersions()
            .filter((l) => l.model === model)
            .map((l) => l.version),
        );
        const followed = models.get(model)?.loaded?.version;
        if (followed !== undefined) versions.add(followed);
        return [...versions].sort((a, b) => a - b).map(String);
      }

      function ready(target: Target) {
        // Readiness never triggers a load: only versions in memory are ready.
        const slot = models.get(target.model);
        const versions = loadedVersions(target.model);
        // A model is known when it is followed or in memory; with discovery, only once the
        // model list was read (until then every model is just not ready yet).
        if (!slot && versions.length === 0 && models.listed)
          throw models.unknownModel(target.model);
        const ok =
          target.version === undefined
            ? slot?.loaded != null
            : versions.includes(String(target.version));
        return { name: target.model, ready: ok };
      }
      v2.get<{ Params: { m: string } }>('/models/:m/ready', (r, reply) => {
        const body = ready(parseTarget(r.params.m));
        return reply.status(body.ready ? 200 : NOT_READY).send(body);
      });
      v2.get<{ Params: { m: string; v: string } }>('/models/:m/versions/:v/ready', (r, reply) => {
        const body = ready(parseTarget(r.params.m, r.params.v));
        return reply.status(body.ready ? 200 : NOT_READY).send(body);
      });

      async function inferRoute(
        target: Target,
        request: FastifyRequest,
        reply: FastifyReply,
      ): Promise<V2InferResponse> {
        const key = request.headers[ROUTE_KEY_HEADER];
        const headerLength = request.headers[BINARY_HEADER];
        const { req, binary } =
          typeof headerLength === 'string'
            ? binaryTensorRequest(request.body, headerLength)
            : { req: jsonTensorRequest(request.body), binary: null };
        const result = await infer(deps, {
          target,
          protocol: 'v2',
          // A tabular model's numeric features may come in binary too (v2-binary-columns.ts).
          columns: (signature) => tensorsToColumns(req, signature, binary),
          records: (signature) => tensorsToRecords(req, signature, binary),
          tensors: (signature, opts) => v2ToTensors(signature, req, binary, opts),
          routeKey: typeof key === 'string' ? key : undefined,
          principal: request.principal?.name ?? null,
          renamePath: (p) => p.replace(/^instances\[(\d+)\]\.(.*)$/, 'inputs[$2].data[$1]'),
        });
        counter.count(target.model, 200);
        if (result.tensors && result.signature.tensors) {
          const response: V2InferResponse = {
            model_name: result.model,
            model_version: String(result.version),
            ...(req.id !== undefined ? { id: req.id } : {}),
            parameters: { prediction_ids: result.ids },
            outputs: v2TensorOutputs(result.signature.tensors, result.tensors, req.outputs),
          };
          const isBinary = binaryOutputs(req);
          if (!response.outputs.some((o) => isBinary(o.name))) return response;
          const { body, headerLength } = binaryResponse(response, isBinary);
          return reply
            .header(BINARY_HEADER, String(headerLength))
            .type('application/octet-stream')
            .send(body);
        }
        flagOutOfRange(reply, result.outOfRange);
        const cols = predictionColumns(result.signature, result.predictions);
        const n = result.predictions.length;
        const all: V2InferResponse['outputs'] = [];
        if (cols.label)
          all.push({ name: 'label', shape: [n], datatype: 'BYTES', data: cols.label });
        if (cols.probabilities) {
          all.push({
            name: 'probabilities',
            shape: [n, cols.probabilities[0]?.length ?? 0],
            datatype: 'FP32',
            data: cols.probabilities.flat(),
          });
        }
        if (cols.value) all.push({ name: 'value', shape: [n], datatype: 'FP32', data: cols.value });
        let outputs = all;
        if (req.outputs && req.outputs.length > 0) {
          for (const o of req.outputs) {
            if (!all.some((t) => t.name === o.name)) {
              throw bad(
                `Unknown output "${o.name}": this model answers ${all.map((t) => `"${t.name}"`).join(', ')}`,
              );
            }
          }
          outputs = all.filter((t) => req.outputs!.some((o) => o.name === t.name));
        }
        return {
          model_name: result.model,
          model_version: String(result.version),
          ...(req.id !== undefined ? { id: req.id } : {}),
          parameters: { prediction_ids: result.ids },
          outputs,
        };
      }
      v2.post<{ Params: { m: string } }>('/models/:m/infer', (r, reply) =>
        inferRoute(parseTarget(r.params.m), r, reply),
      );
      v2.post<{ Params: { m: string; v: string } }>('/models/:m/versions/:v/infer', (r, reply) =>
        inferRoute(parseTarget(r.params.m, r.params.v), r, reply),
      );
      done();
    },
    { prefix: '/v2' },
  );
}
