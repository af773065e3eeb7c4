import type { FastifyInstance } from 'fastify';
import { routesOf as servedRoutes } from '@mlops/config';
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

/**
 * Every route the registry serves with its access rule, as recorded by `trackRoutes` (from
 * `@mlops/config`, which must run before any route is registered). The auth test walks this
 * table: a new mutating route without a scope fails it.
 */
export function routesOf(app: FastifyInstance): readonly RouteEntry[] {
  return servedRoutes(app).map(({ method, url, config }) => ({
    method,
    url,
    scope: config?.scope,
    public: config?.public === true,
    authenticated: config?.authenticated === true,
  }));
}
