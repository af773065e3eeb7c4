import type { Principal, TokenScope } from '@mlops/contracts';
import { missingToken, requireScope } from './auth';

/**
 * What a route or procedure needs before its body may be read:
 * - `public`: nothing (health, readiness, metrics);
 * - `authenticated`: any valid token, whatever its scopes (`auth.whoami`);
 * - a scope: a token allowed that scope; `read` is open to anonymous callers only when the
 *   deployment opted into MLOPS_PUBLIC_READS.
 */
export type Access = 'public' | 'authenticated' | { scope: TokenScope };

/**
 * Throws 401 (no token where one is needed) or 403 (a token without the scope). `principal`
 * is null for an anonymous caller; a bad token never gets here (it is a 401 on its own).
 */
export function checkAccess(
  access: Access,
  principal: Principal | null,
  publicReads: boolean,
  what?: string,
): void {
  if (access === 'public') return;
  if (!principal) {
    if (access !== 'authenticated' && access.scope === 'read' && publicReads) return;
    throw missingToken();
  }
  if (access !== 'authenticated') requireScope(principal, access.scope, what);
}
