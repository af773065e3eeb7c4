import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_SCOPES, scopesAllow, type TokenScope } from '@mlops/contracts';
import { serviceToken } from '@mlops/config';
import { routesOf } from '../src/http/route-table';
import { appRouter } from '../src/trpc/router';
import type { ProcedureMeta } from '../src/trpc/init';
import { startTestRegistry, TOKEN, trpc, type TestRegistry } from './helpers';

let r: TestRegistry;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function newToken(scopes: TokenScope[]): Promise<string> {
  const res = await trpc(
    r.app,
    'mutation',
    'tokens.create',
    { name: `t-${scopes.join('-')}`, scopes },
    r.auth,
  );
  expect(res.status).toBe(200);
  return (res.data as { token: string }).token;
}

/** A token with every scope except the one needed (and admin, which implies it). */
const insufficient: Record<TokenScope, TokenScope[]> = {
  read: ['predict', 'feedback'],
  write: ['read', 'promote'],
  promote: ['read', 'write'],
  admin: ['read', 'write', 'promote', 'train', 'predict', 'feedback'],
  predict: ['read', 'feedback'],
  feedback: ['read', 'predict'],
  train: ['read', 'write', 'promote'],
};
const tokens = new Map<TokenScope, string>();

beforeAll(async () => {
  r = await startTestRegistry();
  for (const scope of TOKEN_SCOPES) tokens.set(scope, await newToken(insufficient[scope]));
});
afterAll(async () => {
  await r.close();
});

interface ProcedureDef {
  _def: { type: 'query' | 'mutation' | 'subscription'; meta?: ProcedureMeta };
}
const procedures = Object.entries(
  (appRouter as unknown as { _def: { procedures: Record<string, ProcedureDef> } })._def.procedures,
);

describe('every tRPC procedure', () => {
  it('the router has the procedures we expect to walk', () => {
    expect(procedures.length).toBeGreaterThan(25);
    expect(procedures.map(([p]) => p)).toEqual(
      expect.arrayContaining(['aliases.set', 'tokens.create', 'runs.create']),
    );
  });

  // A new mutation without a scope fails here: every mutation must declare one.
  it.each(procedures.filter(([, p]) => p._def.type === 'mutation'))(
    'mutation %s declares a scope',
    (_path, p) => {
      expect(p._def.meta?.scope).toMatch(/^(write|promote|admin|train)$/);
    },
  );

  // Reads included: a query without a scope would be open to anyone.
  it.each(procedures.filter(([, p]) => p._def.type === 'query'))(
    'query %s needs a token (read scope or stronger)',
    (_path, p) => {
      expect(
        p._def.meta?.scope ?? (p._def.meta?.authenticated ? 'authenticated' : undefined),
      ).toMatch(/^(read|write|promote|admin|authenticated)$/);
    },
  );

  it.each(procedures.filter(([, p]) => p._def.meta?.scope !== undefined))(
    '%s: 401 without a token, 401 with an unknown one, 403 without its scope',
    async (path, p) => {
      const kind = p._def.type === 'mutation' ? 'mutation' : 'query';
      const scope = p._def.meta?.scope as TokenScope;
      const none = await trpc(r.app, kind, path, {});
      expect([none.status, none.error?.data.appCode]).toEqual([401, 'UNAUTHORIZED']);
      const unknown = await trpc(r.app, kind, path, {}, bearer('mlops_not-a-real-token'));
      expect([unknown.status, unknown.error?.data.appCode]).toEqual([401, 'UNAUTHORIZED']);
      const weak = await trpc(r.app, kind, path, {}, bearer(tokens.get(scope) ?? ''));
      expect([weak.status, weak.error?.data.appCode]).toEqual([403, 'FORBIDDEN']);
      expect(weak.error?.message).toContain(`"${scope}" scope`);
      // With the admin token the call gets past auth (it may still fail on its empty input).
      const admin = await trpc(r.app, kind, path, {}, r.auth);
      expect([401, 403]).not.toContain(admin.status);
    },
  );
});

describe('every REST route', () => {
  const mutating = () =>
    routesOf(r.app).filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method));

  it('the route table lists the upload routes', () => {
    expect(mutating().map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining(['POST /api/blobs', 'POST /api/datasets/:name']),
    );
  });

  it('every mutating route (tRPC transport aside) declares a scope and enforces it', async () => {
    const routes = mutating().filter((route) => !route.url.startsWith('/trpc'));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(route.scope, `${route.method} ${route.url}`).toBeDefined();
      const url = route.url.replace(/:[A-Za-z]+/g, 'x');
      const method = route.method as 'POST' | 'PUT' | 'DELETE' | 'PATCH';
      const send = (headers: Record<string, string>) =>
        r.app.inject({
          method,
          url,
          payload: 'a,b\n1,2\n',
          headers: { 'content-type': 'text/csv', ...headers },
        });
      expect((await send({})).statusCode, `${method} ${url} without token`).toBe(401);
      const weak = await send(bearer(tokens.get(route.scope as TokenScope) ?? ''));
      expect(weak.statusCode, `${method} ${url} with an insufficient token`).toBe(403);
    }
  });
});

describe('every REST read', () => {
  it('needs a token with the read scope, except the public probes', async () => {
    const reads = routesOf(r.app).filter(
      (route) => ['GET', 'HEAD'].includes(route.method) && !route.url.startsWith('/trpc'),
    );
    expect(reads.filter((route) => route.public).map((route) => route.url)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/metrics']),
    );
    // Routes open to any valid token (whoami) are walked in the next test.
    const guarded = reads.filter((route) => !route.public && !route.authenticated);
    expect(guarded.map((route) => route.url)).toEqual(
      expect.arrayContaining(['/api/blobs/:sha256', '/api/datasets/:name/versions/:version/rows']),
    );
    for (const route of guarded) {
      const url = route.url.replace(/:[A-Za-z0-9]+/g, '1');
      const method = route.method as 'GET' | 'HEAD';
      const send = (headers: Record<string, string> = {}) => r.app.inject({ method, url, headers });
      expect((await send()).statusCode, `${method} ${url} without token`).toBe(401);
      expect((await send(bearer('mlops_not-a-real-token'))).statusCode).toBe(401);
      const weak = await send(bearer(tokens.get('read') ?? ''));
      expect(weak.statusCode, `${method} ${url} with a predict/feedback token`).toBe(403);
      expect([401, 403]).not.toContain((await send(r.auth)).statusCode);
    }
  });
});

describe('every REST route open to any valid token', () => {
  it('answers 401 without one and lets any scope in', async () => {
    const open = routesOf(r.app).filter((route) => route.authenticated && route.method === 'GET');
    expect(open.map((route) => route.url)).toEqual(['/api/v1/auth/whoami']);
    for (const route of open) {
      const send = (headers: Record<string, string> = {}) =>
        r.app.inject({ method: 'GET', url: route.url, headers });
      expect((await send()).statusCode).toBe(401);
      expect((await send(bearer('mlops_not-a-real-token'))).statusCode).toBe(401);
      expect((await send(bearer(tokens.get('read') ?? ''))).statusCode).toBe(200);
    }
  });
});

describe('tokens', () => {
  it('are stored hashed, work with their scopes, and stop working when revoked', async () => {
    const created = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'ci', scopes: ['write'] },
      r.auth,
    );
    const { token, id } = created.data as { token: string; id: string };
    const rows = await r.deps.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);

    const upload = () =>
      r.app.inject({
        method: 'POST',
        url: '/api/blobs',
        payload: Buffer.from('scoped bytes'),
        headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      });
    expect((await upload()).statusCode).toBe(201);
    const listed = await trpc(r.app, 'query', 'tokens.list', {}, r.auth);
    expect(listed.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, scopes: ['write'] })]),
    );
    expect(JSON.stringify(listed.data)).not.toContain(token);

    expect((await trpc(r.app, 'mutation', 'tokens.revoke', { id }, r.auth)).data).toEqual({
      revoked: true,
    });
    expect((await upload()).statusCode).toBe(401);
    expect(
      (await trpc(r.app, 'mutation', 'tokens.revoke', { id: 'tok_doesnotexist' }, r.auth)).status,
    ).toBe(404);
  });

  it('rejects bad token requests with field details', async () => {
    const bad = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: '', scopes: ['root'] },
      r.auth,
    );
    expect(bad.status).toBe(400);
    expect(bad.error?.data.details?.map((d) => d.path)).toEqual(
      expect.arrayContaining(['name', 'scopes[0]']),
    );
  });
});

describe('auth.whoami and service tokens', () => {
  const whoami = (headers?: Record<string, string>) =>
    trpc(r.app, 'query', 'auth.whoami', {}, headers);

  it('names the admin, a stored token and a platform service, with their scopes', async () => {
    expect((await whoami(r.auth)).data).toEqual({
      name: 'admin',
      tokenId: null,
      scopes: ['admin'],
    });
    const created = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'labeller', scopes: ['feedback'] },
      r.auth,
    );
    const { token, id } = created.data as { token: string; id: string };
    expect((await whoami(bearer(token))).data).toEqual({
      name: 'token:labeller',
      tokenId: id,
      scopes: ['feedback'],
    });
    const monitor = serviceToken(TOKEN, 'monitor');
    expect((await whoami(bearer(monitor))).data).toEqual({
      name: 'service:monitor',
      tokenId: null,
      scopes: ['read', 'write', 'train', 'promote'],
    });
  });

  it('is 401 without a token, with a forged service token, and once a token is revoked', async () => {
    expect((await whoami()).status).toBe(401);
    // Right shape, derived from another admin token: refused.
    expect((await whoami(bearer(serviceToken('some-other-admin-token', 'monitor')))).status).toBe(
      401,
    );
    // A service the platform does not have, derived from the right admin token: refused.
    expect((await whoami(bearer(serviceToken(TOKEN, 'intruder')))).status).toBe(401);
    const created = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'short-lived', scopes: ['read'] },
      r.auth,
    );
    const { token, id } = created.data as { token: string; id: string };
    expect((await whoami(bearer(token))).status).toBe(200);
    await trpc(r.app, 'mutation', 'tokens.revoke', { id }, r.auth);
    expect((await whoami(bearer(token))).status).toBe(401);
  });

  it('a predict- or feedback-only token cannot read registry state', async () => {
    for (const scopes of [['predict'], ['feedback']] as TokenScope[][]) {
      const created = await trpc(r.app, 'mutation', 'tokens.create', { name: 'n', scopes }, r.auth);
      const token = (created.data as { token: string }).token;
      expect(scopesAllow(scopes, 'read')).toBe(false);
      const list = await trpc(r.app, 'query', 'tokens.list', {}, bearer(token));
      expect(list.status).toBe(403);
    }
  });
});
