import { scopesAllow, type TokenScope } from '@mlops/contracts';
import type { Abilities } from './auth';
import { errorMessage, trpcCode } from './errors';
import { createRegistryClients } from './trpc';

/**
 * What the UI offers a token holding `scopes` (write: datasets and runs; promote: aliases;
 * train: pipeline runs).
 */
export function abilitiesFromScopes(scopes: readonly TokenScope[]): Abilities {
  const write = scopesAllow(scopes, 'write');
  return {
    upload: write,
    train: write,
    cancel: write,
    promote: scopesAllow(scopes, 'promote'),
    pipelines: scopesAllow(scopes, 'train'),
  };
}

/**
 * Ask the registry who this token is (`auth.whoami`, no side effects) before keeping it: an
 * unknown token is refused here rather than on the first page, and so is one the dashboard
 * cannot use because it lacks `read` (a `predict`-only client token, say).
 */
export async function verifyToken(
  token: string,
): Promise<{ ok: true; name: string; abilities: Abilities } | { ok: false; message: string }> {
  const clients = createRegistryClients(() => token);
  try {
    const me = await clients.api.auth.whoami.query();
    if (!scopesAllow(me.scopes, 'read')) {
      return {
        ok: false,
        message: `this token (${me.name}) has no read scope, only ${me.scopes.join(', ') || 'none'}: the dashboard needs one with read`,
      };
    }
    return { ok: true, name: me.name, abilities: abilitiesFromScopes(me.scopes) };
  } catch (err) {
    if (trpcCode(err) === 'UNAUTHORIZED') {
      return {
        ok: false,
        message: 'the registry does not know this token (401): check it and paste it again',
      };
    }
    return { ok: false, message: `could not check the token: ${errorMessage(err)}` };
  }
}
