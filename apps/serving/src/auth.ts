import type { FastifyInstance, FastifyRequest } from 'fastify';
import { installCallerAuth, type RouteAccess, type TokenVerifier } from '@mlops/client';
import type { ServingMetrics } from './metrics';

/** Liveness, readiness and metrics: what orchestrators and Prometheus poll without a token. */
const PUBLIC_ROUTES = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  '/v2',
  '/v2/',
  '/v2/health/live',
  '/v2/health/ready',
  '/ping',
  '/health',
  '/version',
  // The OpenAPI document and its page describe the API; they serve no model or data.
  '/openapi.json',
  '/docs',
]);

/**
 * Every serving POST is a prediction (TF Serving `:predict`, v2 `infer`, MLflow `/invocations`)
 * and needs `predict`; every other route reads (status, metadata, stats, shadow) and needs
 * `read`, except the few above. Unlisted routes default to a scope, never to open.
 */
export function accessOf(request: FastifyRequest): RouteAccess {
  const route = request.routeOptions.url;
  if (route !== undefined && PUBLIC_ROUTES.has(route)) return 'public';
  return request.method === 'POST' ? 'predict' : 'read';
}

/** The shared caller check of `@mlops/client`, with this app's route table and metric. */
export function installAuth(
  app: FastifyInstance,
  opts: { verifier: TokenVerifier; publicReads: boolean; metrics: ServingMetrics },
): void {
  installCallerAuth(app, {
    verifier: opts.verifier,
    publicReads: opts.publicReads,
    accessOf,
    onRefused: (access) => opts.metrics.authRefusals.inc({ access }),
  });
}
