import { createHash } from 'node:crypto';
import {
  AppError,
  REGISTRY_REST,
  principalSchema,
  scopesAllow,
  type Principal,
  type TokenScope,
} from '@mlops/contracts';

/** Who may call a route: nobody needs a token (`public`), or a token with this scope. */
export type RouteAccess = TokenScope | 'public';

export interface TokenVerifierOptions {
  /** The registry, the one place that knows tokens (`auth.whoami`). */
  registryUrl: string;
  /**
   * How long an answer (valid or not) is reused: a revoked token keeps working at most this long
   * on a service that saw it valid. The registry publishes no revocation event, so keep it short.
   */
  cacheMs: number;
  /** Tokens remembered at most (the least recently used are forgotten). */
  maxEntries?: number;
  /** How long one whoami call may take before the caller is answered 503. */
  timeoutMs?: number;
  now?: () => number;
}

export interface TokenVerifier {
  /** The principal of an `Authorization` header; 401 when missing, unknown or revoked. */
  verify(authorization: string | undefined): Promise<Principal>;
  /**
   * The principal when the route allows the caller, null for a public route without a token.
   * `publicReads` (MLOPS_PUBLIC_READS) opens `read` routes to callers without a token; a token
   * that is sent is always checked, so a bad or revoked one is 401 even there.
   */
  authorize(
    authorization: string | undefined,
    access: RouteAccess,
    publicReads: boolean,
  ): Promise<Principal | null>;
}

interface Cached {
  at: number;
  principal: Principal | null;
}

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/**
 * Verifies the tokens of serving's and the monitor's callers with the registry's `auth.whoami`,
 * caching each answer briefly (by the token's sha256, never the token itself) so a prediction
 * does not cost a registry round trip. Concurrent first uses of one token share one call.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const base = opts.registryUrl.replace(/\/+$/, '');
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? (() => Date.now());
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Principal | null>>();

  async function whoami(token: string): Promise<Principal | null> {
    let res: Response;
    try {
      res = await fetch(`${base}${REGISTRY_REST.trpc}/auth.whoami`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      });
    } catch (err) {
      throw new AppError(
        'UNAVAILABLE',
        `cannot verify the token: the registry at ${base} did not answer (${(err as Error).message})`,
      );
    }
    if (res.status === 401) {
      await res.body?.cancel();
      return null;
    }
    const body: unknown = await res.json().catch(() => null);
    const parsed = principalSchema.safeParse(
      (body as { result?: { data?: unknown } } | null)?.result?.data,
    );
    if (!res.ok || !parsed.success) {
      throw new AppError(
        'UNAVAILABLE',
        `cannot verify the token: the registry's auth.whoami answered ${res.status}`,
      );
    }
    return parsed.data;
  }

  async function lookup(token: string): Promise<Principal | null> {
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = cache.get(key);
    if (hit && now() - hit.at < opts.cacheMs) {
      // Map order is the LRU order.
      cache.delete(key);
      cache.set(key, hit);
      return hit.principal;
    }
    let pending = inFlight.get(key);
    if (!pending) {
      pending = whoami(token).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const principal = await pending;
    if (opts.cacheMs > 0) {
      cache.delete(key);
      cache.set(key, { at: now(), principal });
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    }
    return principal;
  }

  async function verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) {
      throw new AppError(
        'UNAUTHORIZED',
        'this route needs a token: send "Authorization: Bearer <token>" (mlops tokens create, or MLOPS_TOKEN)',
      );
    }
    const token = BEARER.exec(authorization)?.[1];
    const principal = token ? await lookup(token) : null;
    if (!principal) {
      throw new AppError(
        'UNAUTHORIZED',
        'invalid bearer token: it is unknown to the registry or was revoked',
      );
    }
    return principal;
  }

  return {
    verify,
    async authorize(authorization, access, publicReads) {
      if (access === 'public') return null;
      if (!authorization && access === 'read' && publicReads) return null;
      const principal = await verify(authorization);
      if (access === 'read' && publicReads) return principal;
      if (!scopesAllow(principal.scopes, access)) {
        throw new AppError(
          'FORBIDDEN',
          `${principal.name} lacks the "${access}" scope this route needs (it has: ${principal.scopes.join(', ') || 'none'})`,
        );
      }
      return principal;
    },
  };
}
