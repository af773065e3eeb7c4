import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '@mlops/contracts';
import type { RouteAccess, TokenVerifier } from './token-verifier';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called (null: a public route, or a read opened by MLOPS_PUBLIC_READS). */
    principal: Principal | null;
  }
}

export interface CallerAuthOptions {
  verifier: TokenVerifier;
  /** MLOPS_PUBLIC_READS: anonymous reads pass; a token that is sent is still checked. */
  publicReads: boolean;
  /** What a matched route needs: a scope, or `public`. Unlisted routes must get a scope. */
  accessOf: (request: FastifyRequest) => RouteAccess;
  /** Counts a refusal (401/403/503), by what the route needed. */
  onRefused: (access: RouteAccess) => void;
}

/**
 * Checks the caller's token in `onRequest`, before any body is read, for the apps that are not
 * the registry (serving, the monitor): an anonymous client cannot make them parse megabytes,
 * and a bad or revoked token is 401 on every route. Sets `request.principal`.
 */
export function installCallerAuth(app: FastifyInstance, opts: CallerAuthOptions): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    // No route: the not-found handler answers 404 without reading anything.
    if (request.routeOptions.url === undefined) return;
    const access = opts.accessOf(request);
    try {
      request.principal = await opts.verifier.authorize(
        request.headers.authorization,
        access,
        opts.publicReads,
      );
    } catch (err) {
      opts.onRefused(access);
      throw err;
    }
  });
}
