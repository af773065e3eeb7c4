import type { FastifyInstance } from 'fastify';
import { DOCS_URL, OPENAPI_URL, serveOpenApi } from '@mlops/config';
import { z } from 'zod';
import {
  buildOpenApiDocument,
  driftReportSchema,
  feedbackBatchSchema,
  feedbackItemInputSchema,
  feedbackResponseSchema,
  resourceNameSchema,
  retrainSwitchInputSchema,
  retrainHistorySchema,
  retrainSwitchSchema,
  type ApiOperation,
} from '@mlops/contracts';
import { querySchema } from './drift';

const byModel = z.object({ model: resourceNameSchema });
const service = (path: string, operationId: string, summary: string, type: string) =>
  ({
    method: 'GET',
    path,
    operationId,
    summary,
    tag: 'service',
    access: 'public',
    responseType: type,
  }) satisfies ApiOperation;

/**
 * Every REST route of the monitor, from the contracts' schemas (the dashboard's tRPC route,
 * `/trpc/*`, is its private transport and is not described). `maxWindow` is the drift query's
 * bound (MONITOR_WINDOW_RETAIN), as the route checks it.
 */
export function monitorOperations(maxWindow: number): ApiOperation[] {
  return [
    {
      method: 'GET',
      path: '/v1/drift/{model}',
      operationId: 'drift.report',
      summary: 'Drift of the current window against the training profile',
      description:
        'The last `window` rows (by count), only those of the last `windowMs` ms, after `since`.',
      tag: 'drift',
      access: { scope: 'read' },
      input: byModel.extend(querySchema(maxWindow).shape),
      output: driftReportSchema,
    },
    {
      method: 'GET',
      path: '/v1/models',
      operationId: 'models.list',
      summary: 'Every monitored model: rows seen, last report, alerts',
      tag: 'drift',
      access: { scope: 'read' },
      responseType: 'application/json',
    },
    {
      method: 'POST',
      path: '/v1/feedback',
      operationId: 'feedback.send',
      summary: 'Ground truth by prediction id: one item or `{items: [...]}`',
      tag: 'quality',
      access: { scope: 'feedback' },
      body: z.union([feedbackItemInputSchema, feedbackBatchSchema]),
      output: feedbackResponseSchema,
    },
    {
      method: 'GET',
      path: '/v1/models/{model}/retraining',
      operationId: 'retraining.get',
      summary: "A model's automatic retraining switch",
      tag: 'retraining',
      access: { scope: 'read' },
      input: byModel,
      output: retrainSwitchSchema,
    },
    {
      method: 'GET',
      path: '/v1/models/{model}/retraining/history',
      operationId: 'retraining.history',
      summary: "A model's automatic retrainings, newest first, with their outcome",
      tag: 'retraining',
      access: { scope: 'read' },
      input: byModel,
      output: retrainHistorySchema,
    },
    {
      method: 'PUT',
      path: '/v1/models/{model}/retraining',
      operationId: 'retraining.set',
      summary: 'Switch automatic retraining (and promotion) on or off',
      tag: 'retraining',
      access: { scope: 'promote' },
      input: byModel,
      inputIn: 'query',
      body: retrainSwitchInputSchema,
      output: retrainSwitchSchema,
    },
    service('/healthz', 'monitor.live', 'Liveness', 'application/json'),
    service('/readyz', 'monitor.ready', 'Readiness: Redis answers (else 503)', 'application/json'),
    service('/metrics', 'monitor.metrics', 'Prometheus metrics', 'text/plain'),
    service(OPENAPI_URL, 'docs.openapi', 'This OpenAPI 3.1 document', 'application/json'),
    service(DOCS_URL, 'docs.page', 'This document, browsable', 'text/html'),
  ];
}

export function monitorOpenApi(maxWindow: number): Record<string, unknown> {
  return buildOpenApiDocument(
    {
      title: 'MLOps monitor',
      version: '1',
      description:
        'Drift against the training profile, live quality from feedback, automatic retraining. ' +
        'Send `authorization: Bearer <token>` with the scope in `x-scope`.',
    },
    monitorOperations(maxWindow),
  );
}

/** `GET /openapi.json` and `GET /docs`, public (listed in auth.ts). */
export function openApiRoutes(app: FastifyInstance, maxWindow: number): void {
  serveOpenApi(app, 'MLOps monitor', monitorOpenApi(maxWindow));
}
