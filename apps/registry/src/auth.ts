import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AppError,
  SERVICE_SCOPES,
  scopesAllow,
  type Principal,
  type ServiceName,
  type TokenScope,
} from '@mlops/contracts';
import { serviceOfToken, serviceToken } from '@mlops/config';
import { findTokenBySecret } from '@mlops/storage';
import type { RegistryDeps } from './deps';

export type { Principal };

export const ADMIN_PRINCIPAL: Principal = { name: 'admin', tokenId: null, scopes: ['admin'] };

/** `admin` implies every scope; see contracts `scopesAllow`. */
export function hasScope(principal: Principal, needed: TokenScope): boolean {
  return scopesAllow(principal.scopes, needed);
}

/**
 * Resolve an `Authorization: Bearer …` header. The bootstrap admin token is compared in
 * constant time (both sides hashed first, so not even its length leaks); other tokens are
 * looked up by their sha256, which is all the database holds. 401 when missing or unknown.
 */
export async function authenticate(
  deps: Pick<RegistryDeps, 'adminToken' | 'db'>,
  header: string | undefined,
): Promise<Principal> {
  if (!header) throw missingToken();
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
  if (timingSafeEqual(digest(given), digest(deps.adminToken))) return ADMIN_PRINCIPAL;
  const service = servicePrincipal(deps.adminToken, given);
  if (service) return service;
  const token = given ? await findTokenBySecret(deps.db, given) : undefined;
  if (!token) {
    throw new AppError(
      'UNAUTHORIZED',
      'invalid bearer token: check MLOPS_TOKEN (or the admin-token file of the data directory); revoked tokens stop working',
    );
  }
  return { name: `token:${token.name}`, tokenId: token.id, scopes: token.scopes };
}

/**
 * The caller of a request: undefined without an `Authorization` header (anonymous), else the
 * token's principal. A header that names no valid token is always a 401 — even where anonymous
 * calls are allowed, a bad or revoked token never passes as "nobody".
 */
export async function principalOf(
  deps: Pick<RegistryDeps, 'adminToken' | 'db'>,
  header: string | undefined,
): Promise<Principal | undefined> {
  return header === undefined ? undefined : authenticate(deps, header);
}

export function missingToken(): AppError {
  return new AppError(
    'UNAUTHORIZED',
    'missing bearer token: send "Authorization: Bearer <MLOPS_TOKEN>"',
  );
}

/** 403 naming the scope the call needs and the ones the token has. */
export function requireScope(principal: Principal, needed: TokenScope, what = 'this call'): void {
  if (hasScope(principal, needed)) return;
  throw new AppError(
    'FORBIDDEN',
    `${what} needs the "${needed}" scope; the token has [${principal.scopes.join(', ')}]: ask an admin for a token with it`,
  );
}

/** authenticate + requireScope. */
export async function authorize(
  deps: Pick<RegistryDeps, 'adminToken' | 'db'>,
  header: string | undefined,
  needed: TokenScope,
): Promise<Principal> {
  const principal = await authenticate(deps, header);
  requireScope(principal, needed);
  return principal;
}

/** A platform service's derived token (config `serviceToken`), checked in constant time. */
function servicePrincipal(adminToken: string, given: string): Principal | undefined {
  const service = serviceOfToken(given);
  if (!service || !Object.hasOwn(SERVICE_SCOPES, service)) return undefined;
  const expected = serviceToken(adminToken, service);
  if (!timingSafeEqual(digest(given), digest(expected))) return undefined;
  return {
    name: `service:${service}`,
    tokenId: null,
    scopes: [...SERVICE_SCOPES[service as ServiceName]],
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
