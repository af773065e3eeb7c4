import { describe, expect, it } from 'vitest';
import { isAppError } from '@mlops/contracts';
import { createTokenVerifier } from '../src';
import { useTestRegistry } from './test-registry';

const ADMIN = 'verifier-test-token-0123456789';
const t = useTestRegistry('verifier-test', ADMIN);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return isAppError(err) ? err.code : String(err);
  }
}

describe('token verifier (registry auth.whoami)', () => {
  it('answers the principal of a valid token and checks scopes', async () => {
    const verifier = createTokenVerifier({ registryUrl: t.url, cacheMs: 1_000 });
    const created = await t.client.api.tokens.create.mutate({ name: 'app', scopes: ['predict'] });
    const principal = await verifier.verify(`Bearer ${created.token}`);
    expect(principal.name).toContain('app');
    expect(principal.scopes).toEqual(['predict']);
    expect(await verifier.authorize(`Bearer ${created.token}`, 'predict', false)).not.toBeNull();
    expect(await codeOf(verifier.authorize(`Bearer ${created.token}`, 'feedback', false))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(verifier.authorize(`Bearer ${created.token}`, 'read', false))).toBe(
      'FORBIDDEN',
    );
  });

  it('refuses a missing, malformed or unknown token with 401, even for public reads', async () => {
    const verifier = createTokenVerifier({ registryUrl: t.url, cacheMs: 1_000 });
    expect(await codeOf(verifier.authorize(undefined, 'read', false))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier.authorize('Basic abc', 'predict', false))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier.authorize('Bearer mlops_guessed', 'read', true))).toBe(
      'UNAUTHORIZED',
    );
    expect(await verifier.authorize(undefined, 'read', true)).toBeNull();
    expect(await codeOf(verifier.authorize(undefined, 'predict', true))).toBe('UNAUTHORIZED');
  });

  it('stops accepting a revoked token once the cache window has passed', async () => {
    let clock = 0;
    const verifier = createTokenVerifier({ registryUrl: t.url, cacheMs: 5_000, now: () => clock });
    const created = await t.client.api.tokens.create.mutate({ name: 'revoked', scopes: ['read'] });
    const header = `Bearer ${created.token}`;
    expect(await codeOf(verifier.verify(header))).toBe('ok');
    await t.client.api.tokens.revoke.mutate({ id: created.id });
    clock += 5_000;
    expect(await codeOf(verifier.verify(header))).toBe('UNAUTHORIZED');
  });

  it('answers 503, not 401, when the registry cannot be reached', async () => {
    const verifier = createTokenVerifier({ registryUrl: 'http://127.0.0.1:9', cacheMs: 1_000 });
    expect(await codeOf(verifier.verify('Bearer something-long-enough'))).toBe('UNAVAILABLE');
  });
});
