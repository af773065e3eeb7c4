import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteAccess, TokenVerifier } from '@mlops/client';
import type { Principal } from '@mlops/contracts';
import type { ServingMetrics } from './metrics';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called (null: a public route, or a read opened by MLOPS_PUBLIC_READS). */
    principal: Principal | null;
  }
}

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

/**
 * Checks the caller's token in `onRequest`, before any body is read: an anonymous client
 * cannot make serving parse megabytes, and a bad or revoked token is 401 on every route.
 */
export function installAuth(
  app: FastifyInstance,
  opts: { verifier: TokenVerifier; publicReads: boolean; metrics: ServingMetrics },
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    // No route: the not-found handler answers 404 without reading anything.
    if (request.routeOptions.url === undefined) return;
    const access = accessOf(request);
    try {
      request.principal = await opts.verifier.authorize(
        request.headers.authorization,
        access,
        opts.publicReads,
      );
    } catch (err) {
      opts.metrics.authRefusals.inc({ access });
      throw err;
    }
  });
}
