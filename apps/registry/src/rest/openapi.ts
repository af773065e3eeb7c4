import type { FastifyInstance } from 'fastify';
import { DOCS_URL, OPENAPI_URL, serveOpenApi } from '@mlops/config';
import {
  blobRefSchema,
  buildOpenApiDocument,
  CONTENT_SHA256_HEADER,
  datasetUploadQuerySchema,
  datasetVersionSchema,
  registryApi,
  type ApiOperation,
  type OperationAccess,
} from '@mlops/contracts';
import { BY_CONTENT_TYPE } from '../domain/datasets/format';
import { shaParams } from '../http/blobs';
import { nameParams, rowsParams } from '../http/datasets';
import { procedureAccess } from '../trpc/access';
import { REST_ROUTES, type ProcedurePath } from './table';

type ApiEntry = { mutation: boolean; input: ApiOperation['input']; output: ApiOperation['output'] };

/** Every REST route of REST_ROUTES, described from its procedure's contract. */
export function procedureOperations(): ApiOperation[] {
  return (
    Object.entries(REST_ROUTES) as Array<[ProcedurePath, (typeof REST_ROUTES)[ProcedurePath]]>
  ).map(([procedure, route]) => {
    const [group = '', name = ''] = procedure.split('.');
    const api = (registryApi as unknown as Record<string, Record<string, ApiEntry>>)[group]?.[name];
    if (!api) throw new Error(`REST route for unknown procedure ${procedure}`);
    const access = procedureAccess(procedure);
    return {
      method: route.method,
      path: route.path,
      operationId: procedure,
      summary: route.summary,
      description: `Same as the tRPC ${api.mutation ? 'mutation' : 'query'} \`${procedure}\`.`,
      tag: group,
      access: access === 'authenticated' || access === 'public' ? access : { scope: access.scope },
      input: api.input,
      output: api.output,
    };
  });
}

const scope = (s: string): OperationAccess => ({ scope: s });

/** The hand-written routes: streamed uploads and downloads, probes, and this document. */
export function streamedOperations(): ApiOperation[] {
  return [
    {
      method: 'POST',
      path: '/api/datasets/{name}',
      operationId: 'datasets.upload',
      summary: 'Upload a dataset version (streamed)',
      description:
        'Answers 201 with the new version, or 200 with the existing one when the content is identical.',
      tag: 'datasets',
      access: scope('write'),
      input: nameParams.extend(datasetUploadQuerySchema.shape),
      inputIn: 'query',
      rawBody: {
        contentTypes: Object.keys(BY_CONTENT_TYPE),
        description: 'CSV, a JSON array of row objects, JSON Lines, or an image archive.',
      },
      output: datasetVersionSchema,
      status: 201,
    },
    {
      method: 'GET',
      path: '/api/datasets/{name}/versions/{version}/rows',
      operationId: 'datasets.rows',
      summary: "A dataset version's rows as JSON Lines (arrays in schema column order)",
      tag: 'datasets',
      access: scope('read'),
      input: rowsParams,
      responseType: 'application/x-ndjson',
    },
    {
      method: 'POST',
      path: '/api/blobs',
      operationId: 'blobs.upload',
      summary: `Store an artifact's bytes (streamed); header \`${CONTENT_SHA256_HEADER}\` is verified`,
      tag: 'blobs',
      access: scope('write'),
      rawBody: { contentTypes: ['application/octet-stream'], description: 'The bytes.' },
      output: blobRefSchema,
      status: 201,
    },
    {
      method: 'GET',
      path: '/api/blobs/{sha256}',
      operationId: 'blobs.get',
      summary: "An artifact's bytes",
      tag: 'blobs',
      access: scope('read'),
      input: shaParams,
      responseType: 'application/octet-stream',
    },
    probe('/healthz', 'health.live', 'Liveness: the process answers'),
    probe('/readyz', 'health.ready', 'Readiness: database, artifacts and Redis answer (else 503)'),
    {
      ...probe('/metrics', 'health.metrics', 'Prometheus metrics'),
      responseType: 'text/plain',
    },
    probe(OPENAPI_URL, 'docs.openapi', 'This OpenAPI 3.1 document'),
    { ...probe(DOCS_URL, 'docs.page', 'This document, browsable'), responseType: 'text/html' },
  ];
}

function probe(path: string, operationId: string, summary: string): ApiOperation {
  return {
    method: 'GET',
    path,
    operationId,
    summary,
    tag: 'service',
    access: 'public',
    responseType: 'application/json',
  };
}

export function registryOpenApi(extra: readonly ApiOperation[] = []): Record<string, unknown> {
  return buildOpenApiDocument(
    {
      title: 'MLOps registry',
      version: '1',
      description:
        'Datasets, runs, models, versions, aliases and governance. Every /api/v1 operation is ' +
        'also a tRPC procedure (operationId) answering the same data; send `authorization: ' +
        'Bearer <token>` with the scope named in `x-scope`.',
    },
    [...procedureOperations(), ...streamedOperations(), ...extra],
  );
}

/**
 * `GET /openapi.json` and `GET /docs`, public: the document describes the API, not its data.
 * Built once, at registration (every schema is static). `extra`: the operations of another
 * face of the registry (an MLflow-compatible API, say), described in the same document; the
 * OpenAPI test fails on any served route that no operation describes.
 */
export function registerOpenApiRoutes(
  app: FastifyInstance,
  extra: readonly ApiOperation[] = [],
): void {
  serveOpenApi(app, 'MLOps registry', registryOpenApi(extra), { config: { public: true } });
}
