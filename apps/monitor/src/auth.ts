import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteAccess, TokenVerifier } from '@mlops/client';
import type { Principal } from '@mlops/contracts';
import type { MonitorMetrics } from './metrics';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called (null: a public route, or a read opened by MLOPS_PUBLIC_READS). */
    principal: Principal | null;
  }
}

/** Liveness, readiness and metrics: polled by orchestrators and Prometheus without a token. */
const PUBLIC_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

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

/**
 * Checks the caller's token in `onRequest`, before any body is read: anonymous feedback, and
 * bad or revoked tokens on any route, are 401 without the monitor parsing a byte.
 */
export function installAuth(
  app: FastifyInstance,
  opts: { verifier: TokenVerifier; publicReads: boolean; metrics: MonitorMetrics },
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
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
