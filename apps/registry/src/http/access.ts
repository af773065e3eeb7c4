import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type Principal } from '@mlops/contracts';
import { checkAccess, type Access } from '../access';
import { principalOf } from '../auth';
import type { RegistryDeps } from '../deps';
import { asUnavailable } from '../unavailable';

/** How the tRPC route tells what its procedures need and answers a refusal in its own shape. */
export interface TrpcAccess {
  /** The route pattern the tRPC plugin registers, e.g. `/trpc/:path`. */
  url: string;
  accessOf(path: string): Access;
  refuse(request: FastifyRequest, reply: FastifyReply, error: AppError, paths: string[]): unknown;
}

/**
 * Every request is authorised in `onRequest`, before Fastify reads a byte of its body: an
 * anonymous 60 MiB POST used to be buffered and parsed before the procedure looked at the
 * token. What a request needs comes from its route (`config.scope`, `config.public`; any
 * other route is a read) or, on the tRPC route, from the meta of every procedure it calls.
 * A refused request is answered at once; Node then discards whatever of its body still
 * arrives (never buffered). Not `Connection: close`: closing a socket with unread input
 * resets it, and the client may lose the answer it was sent.
 */
export function registerAccessControl(
  app: FastifyInstance,
  deps: RegistryDeps,
  trpc: TrpcAccess,
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) {
      // The not-found handler would still parse the body: answer before it is read.
      throw new AppError(
        'NOT_FOUND',
        `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      );
    }
    const isTrpc = request.routeOptions.url === trpc.url;
    const paths = isTrpc ? procedurePaths(request) : [];
    const needs = isTrpc ? paths.map((p) => trpc.accessOf(p)) : [routeAccess(request)];
    if (needs.every((need) => need === 'public')) return;
    try {
      const principal = (await principalOf(deps, request.headers.authorization)) ?? null;
      needs.forEach((need, i) => {
        const what = isTrpc ? paths[i] : `${request.method} ${request.routeOptions.url ?? ''}`;
        checkAccess(need, principal, deps.publicReads, what);
      });
      request.principal = principal;
    } catch (err) {
      const refusal = asRefusal(err);
      if (refusal.code === 'UNAUTHORIZED' || refusal.code === 'FORBIDDEN')
        deps.metrics.accessRefusals.inc({ status: String(refusal.httpStatus) });
      if (isTrpc) return trpc.refuse(request, reply, refusal, paths);
      throw refusal;
    }
  });
}

function routeAccess(request: FastifyRequest): Access {
  const config = request.routeOptions.config;
  if (config.public) return 'public';
  if (config.authenticated) return 'authenticated';
  return { scope: config.scope ?? 'read' };
}

/** The procedures a tRPC request calls: `a.b` or, batched (`?batch=1`), `a.b,c.d`. */
export function procedurePaths(request: FastifyRequest): string[] {
  const path = (request.params as { path?: unknown }).path;
  const raw = typeof path === 'string' ? path : '';
  const batch = (request.query as { batch?: unknown }).batch === '1';
  return batch ? raw.split(',') : [raw];
}

function asRefusal(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // The token table is unreachable: 503, as every other call answers then.
  const down = asUnavailable(err);
  if (down) return down;
  throw err;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, set by the access hook; null for an anonymous (public) read. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Health, readiness and metrics: answered without a token. */
    public?: boolean;
    /** Any valid token, whatever its scopes (the REST face of `auth.whoami`). */
    authenticated?: boolean;
  }
}
