import { randomBytes } from 'node:crypto';
import { AppError, type ApiToken, type TokenScope } from '@mlops/contracts';
import { insertToken, listTokens, revokeToken } from '@mlops/storage';
import type { Principal } from '../auth';
import type { RegistryDeps } from '../deps';

/** A new token: `mlops_<43 random url-safe chars>`; only its sha256 is stored. */
export async function createToken(
  deps: RegistryDeps,
  input: { name: string; scopes: TokenScope[] },
  principal: Principal,
): Promise<ApiToken & { token: string }> {
  const token = `mlops_${randomBytes(32).toString('base64url')}`;
  const stored = await insertToken(deps.db, {
    id: `tok_${randomBytes(9).toString('base64url')}`,
    name: input.name,
    token,
    scopes: [...new Set(input.scopes)],
    createdBy: principal.name,
    now: new Date().toISOString(),
  });
  return { ...stored, token };
}

export function tokensOf(deps: RegistryDeps): Promise<ApiToken[]> {
  return listTokens(deps.db);
}

export async function revoke(deps: RegistryDeps, id: string): Promise<{ revoked: boolean }> {
  const revoked = await revokeToken(deps.db, id, new Date().toISOString());
  if (!revoked && !(await listTokens(deps.db)).some((t) => t.id === id))
    throw new AppError('NOT_FOUND', `token ${id} does not exist; list them with tokens.list`);
  return { revoked };
}
