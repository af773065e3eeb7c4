import type { FastifyInstance, FastifyRequest } from 'fastify';
import { installCallerAuth, type RouteAccess, type TokenVerifier } from '@mlops/client';
import type { MonitorMetrics } from './metrics';

/** Liveness, readiness and metrics: polled by orchestrators and Prometheus without a token. */
const PUBLIC_ROUTES = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  // The OpenAPI document and its page describe the API; they serve no data.
  '/openapi.json',
  '/docs',
]);

/**
 * What each route needs: ground truth needs `feedback`, switching a model's automatic
 * retraining needs `promote` (it ends in promotions), everything else reads (reports, tRPC
 * queries) and needs `read`. Unlisted routes default to a scope, never to open.
 */
export function accessOf(request: FastifyRequest): RouteAccess {
  const route = request.routeOptions.url ?? '';
  if (PUBLIC_ROUTES.has(route)) return 'public';
  if (request.method === 'POST' && route === '/v1/feedback') return 'feedback';
  if (request.method === 'GET' || request.method === 'HEAD') return 'read';
  return 'promote';
}

/** The shared caller check of `@mlops/client`, with this app's route table and metric. */
export function installAuth(
  app: FastifyInstance,
  opts: { verifier: TokenVerifier; publicReads: boolean; metrics: MonitorMetrics },
): void {
  installCallerAuth(app, {
    verifier: opts.verifier,
    publicReads: opts.publicReads,
    accessOf,
    onRefused: (access) => opts.metrics.authRefusals.inc({ access }),
  });
}
