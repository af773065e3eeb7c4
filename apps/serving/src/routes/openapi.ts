import type { FastifyInstance } from 'fastify';
import { DOCS_URL, OPENAPI_URL, serveOpenApi } from '@mlops/config';
import { z } from 'zod';
import {
  aliasNameSchema,
  buildOpenApiDocument,
  mlflowErrorSchema,
  mlflowInvocationSchema,
  mlflowResponseSchema,
  modelStatusSchema,
  predictRequestSchema,
  predictResponseSchema,
  resourceNameSchema,
  servingStatsSchema,
  shadowRecordSchema,
  tfColumnarRequestSchema,
  tfColumnarResponseSchema,
  tfModelMetadataSchema,
  tfServingErrorBodySchema,
  v2ErrorSchema,
  v2InferRequestSchema,
  v2InferResponseSchema,
  v2ModelMetadataSchema,
  v2ServerMetadataSchema,
  type ApiOperation,
  type HttpMethod,
  type OperationAccess,
} from '@mlops/contracts';
import { PLATFORM_FORMAT } from '../protocols/tfserving';

// Path parameters, from the contracts' name schemas (serving checks them with the same ones).
const model = z.object({ name: resourceNameSchema });
const version = z.string().regex(/^[1-9]\d{0,9}$/);
const byVersion = model.extend({ version });
const byLabel = model.extend({ label: aliasNameSchema });
const predictQuery = z.object({
  /** `platform`: labels with probabilities by name instead of TF Serving's shape. */
  format: z.literal(PLATFORM_FORMAT).optional(),
});

const PREDICT = 'predict';
const READ = 'read';

function op(
  method: HttpMethod,
  path: string,
  operationId: string,
  summary: string,
  tag: string,
  access: OperationAccess,
  more: Partial<ApiOperation> = {},
): ApiOperation {
  return { method, path, operationId, summary, tag, access, ...more };
}

/** TF Serving's three ways of naming the model: latest followed, a version, a label. */
const TARGETS = [
  { suffix: '', input: model, id: '', route: '/v1/models/:nameAndVerb', what: '' },
  {
    suffix: '/versions/{version}',
    input: byVersion,
    id: 'Version',
    route: '/v1/models/:name/versions/:v',
    what: ' (a version)',
  },
  {
    suffix: '/labels/{label}',
    input: byLabel,
    id: 'Label',
    route: '/v1/models/:name/labels/:l',
    what: ' (an alias)',
  },
] as const;

const examplesBody = {
  contentTypes: ['application/json'],
  description:
    'TF Serving `Example` format: `{"signature_name"?, "context"?, "examples": [{feature: value}]}`.',
};

/** Every route serving answers, described from the contracts' wire schemas where they exist. */
export function servingOperations(): ApiOperation[] {
  const tf = TARGETS.flatMap(({ suffix, input, id, route, what }) => [
    op(
      'POST',
      `/v1/models/{name}${suffix}:predict`,
      `tf.predict${id}`,
      `Predict${what}`,
      'tfserving',
      { scope: PREDICT },
      {
        input: input.extend(predictQuery.shape),
        body: z.union([predictRequestSchema, tfColumnarRequestSchema]),
        bodyTypes: ['*/*'],
        output: z.union([predictResponseSchema, tfColumnarResponseSchema]),
        responseDescription:
          "Row format: `predictions`; columnar: `outputs` (TF Serving's shapes unless ?format=platform)",
        errorBody: tfServingErrorBodySchema,
        route,
      },
    ),
    op(
      'POST',
      `/v1/models/{name}${suffix}:classify`,
      `tf.classify${id}`,
      `Classify Examples${what}`,
      'tfserving',
      { scope: PREDICT },
      {
        input,
        rawBody: examplesBody,
        responseType: 'application/json',
        errorBody: tfServingErrorBodySchema,
        route,
      },
    ),
    op(
      'POST',
      `/v1/models/{name}${suffix}:regress`,
      `tf.regress${id}`,
      `Regress Examples${what}`,
      'tfserving',
      { scope: PREDICT },
      {
        input,
        rawBody: examplesBody,
        responseType: 'application/json',
        errorBody: tfServingErrorBodySchema,
        route,
      },
    ),
    op(
      'GET',
      `/v1/models/{name}${suffix}`,
      `tf.status${id}`,
      `Model status${what}`,
      'tfserving',
      { scope: READ },
      {
        input,
        output: modelStatusSchema,
        errorBody: tfServingErrorBodySchema,
        route,
      },
    ),
    op(
      'GET',
      `/v1/models/{name}${suffix}/metadata`,
      `tf.metadata${id}`,
      `Model metadata (signature)${what}`,
      'tfserving',
      { scope: READ },
      {
        input,
        output: tfModelMetadataSchema,
        errorBody: tfServingErrorBodySchema,
        route: id === '' ? '/v1/models/:name/metadata' : `${route}/metadata`,
      },
    ),
  ]);
  const v2 = [
    op('GET', '/v2', 'v2.server', 'Server metadata', 'oip-v2', 'public', {
      output: v2ServerMetadataSchema,
      route: '/v2',
    }),
    op('GET', '/v2/health/live', 'v2.live', 'Server live', 'oip-v2', 'public', {
      responseType: 'application/json',
    }),
    op(
      'GET',
      '/v2/health/ready',
      'v2.ready',
      'Server ready (every followed model loaded)',
      'oip-v2',
      'public',
      { responseType: 'application/json' },
    ),
    ...(['', '/versions/{version}'] as const).flatMap((suffix) => {
      const input = suffix ? byVersion : model;
      const id = suffix ? 'Version' : '';
      const route = suffix ? '/v2/models/:m/versions/:v' : '/v2/models/:m';
      const errorBody = v2ErrorSchema;
      return [
        op(
          'GET',
          `/v2/models/{name}${suffix}`,
          `v2.metadata${id}`,
          'Model metadata',
          'oip-v2',
          { scope: READ },
          { input, output: v2ModelMetadataSchema, errorBody, route },
        ),
        op(
          'GET',
          `/v2/models/{name}${suffix}/ready`,
          `v2.modelReady${id}`,
          'Model ready',
          'oip-v2',
          { scope: READ },
          { input, responseType: 'application/json', errorBody, route: `${route}/ready` },
        ),
        op(
          'POST',
          `/v2/models/{name}${suffix}/infer`,
          `v2.infer${id}`,
          'Inference (JSON tensors)',
          'oip-v2',
          { scope: PREDICT },
          {
            input,
            body: v2InferRequestSchema,
            output: v2InferResponseSchema,
            errorBody,
            route: `${route}/infer`,
          },
        ),
      ];
    }),
  ];
  const mlflow = [
    op(
      'POST',
      '/invocations',
      'mlflow.invocations',
      'MLflow scoring server: predict',
      'mlflow',
      { scope: PREDICT },
      {
        input: z.object({ model: resourceNameSchema.optional() }),
        body: mlflowInvocationSchema,
        bodyTypes: ['text/csv'],
        output: mlflowResponseSchema,
        errorBody: mlflowErrorSchema,
      },
    ),
    op('GET', '/ping', 'mlflow.ping', 'MLflow: ready (200) or not (503)', 'mlflow', 'public', {
      responseType: 'text/plain',
    }),
    op('GET', '/health', 'mlflow.health', 'MLflow: ready (200) or not (503)', 'mlflow', 'public', {
      responseType: 'text/plain',
    }),
    op('GET', '/version', 'mlflow.version', 'MLflow: server version', 'mlflow', 'public', {
      responseType: 'text/plain',
    }),
  ];
  const platform = [
    op(
      'GET',
      '/v1/models',
      'serving.models',
      'Every followed model: version, state, last error',
      'serving',
      { scope: READ },
      { responseType: 'application/json' },
    ),
    op(
      'GET',
      '/v1/models/{name}/stats',
      'serving.stats',
      'Traffic, latency and errors of a model',
      'serving',
      { scope: READ },
      { input: model, output: servingStatsSchema },
    ),
    op(
      'GET',
      '/v1/shadow/{model}',
      'serving.shadow',
      'Recent shadow comparisons of a model',
      'serving',
      { scope: READ },
      {
        input: z.object({ model: resourceNameSchema }),
        output: z.object({ model: z.string(), comparisons: z.array(shadowRecordSchema) }),
      },
    ),
    op('GET', '/healthz', 'serving.live', 'Liveness', 'service', 'public', {
      responseType: 'application/json',
    }),
    op(
      'GET',
      '/readyz',
      'serving.ready',
      'Readiness: every followed model loaded (else 503)',
      'service',
      'public',
      { responseType: 'application/json' },
    ),
    op('GET', '/metrics', 'serving.metrics', 'Prometheus metrics', 'service', 'public', {
      responseType: 'text/plain',
    }),
    op('GET', OPENAPI_URL, 'docs.openapi', 'This OpenAPI 3.1 document', 'service', 'public', {
      responseType: 'application/json',
    }),
    op('GET', DOCS_URL, 'docs.page', 'This document, browsable', 'service', 'public', {
      responseType: 'text/html',
    }),
  ];
  return [...tf, ...v2, ...mlflow, ...platform];
}

export function servingOpenApi(): Record<string, unknown> {
  return buildOpenApiDocument(
    {
      title: 'MLOps serving',
      version: '1',
      description:
        'Models the registry promoted, over TF Serving REST, Open Inference Protocol v2 and the ' +
        'MLflow scoring server. Send `authorization: Bearer <token>` with the scope in `x-scope`.',
    },
    servingOperations(),
  );
}

/** `GET /openapi.json` and `GET /docs`, public (listed in auth.ts): they describe, not serve. */
export function openApiRoutes(app: FastifyInstance): void {
  serveOpenApi(app, 'MLOps serving', servingOpenApi());
}
