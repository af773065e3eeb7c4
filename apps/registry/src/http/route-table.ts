import type { FastifyInstance } from 'fastify';
import type { TokenScope } from '@mlops/contracts';

export interface RouteEntry {
  method: string;
  url: string;
  scope: TokenScope | undefined;
  /** Answered without a token (health, readiness, metrics). */
  public: boolean;
  /** Needs a valid token, whatever its scopes (`GET /api/v1/auth/whoami`). */
  authenticated: boolean;
}

const tables = new WeakMap<FastifyInstance, RouteEntry[]>();

/**
 * Record every route as it is added (must run before any route is registered). The auth test
 * walks this table: a new mutating route without a scope fails it.
 */
export function trackRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      table.push({
        method,
        url: route.url,
        scope: route.config?.scope,
        public: route.config?.public === true,
        authenticated: route.config?.authenticated === true,
      });
  });
}

export function routesOf(app: FastifyInstance): readonly RouteEntry[] {
  return tables.get(app) ?? [];
}
