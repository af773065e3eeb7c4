import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { errorOf, irisRun, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

// The REST face (/api/v1) against tRPC on one real registry: the same data for the same call,
// the same errors naming the field, the same tokens refused before the body is read.

let r: TestRegistry;
let file: { sha256: string; size: number };
let runId: string;

const json = { 'content-type': 'application/json' };
function rest(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = r.auth,
): Promise<LightMyRequestResponse> {
  return r.app.inject({
    method,
    url,
    headers: body === undefined ? headers : { ...json, ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
  // Writes through REST; the parity reads below see them through both faces.
  for (let i = 0; i < 2; i++) {
    const created = await rest('POST', '/api/v1/models/iris/versions', {
      manifest: manifestWith(file),
    });
    expect(created.statusCode, created.body).toBe(200);
  }
  const run = await rest('POST', '/api/v1/runs', irisRun('iris'));
  expect(run.statusCode, run.body).toBe(200);
  runId = run.json<{ id: string }>().id;
});
afterAll(async () => {
  await r.close();
});

describe('REST and tRPC answer the same data', () => {
  const reads: Array<[string, unknown, string]> = [
    ['models.list', {}, '/api/v1/models'],
    ['models.get', { name: 'iris' }, '/api/v1/models/iris'],
    [
      'models.search',
      { nameContains: 'ir', limit: 5 },
      '/api/v1/search/models?nameContains=ir&limit=5',
    ],
    ['versions.list', { model: 'iris' }, '/api/v1/models/iris/versions'],
    ['versions.get', { model: 'iris', version: 2 }, '/api/v1/models/iris/versions/2'],
    [
      'versions.search',
      { model: 'iris', metric: { name: 'accuracy', min: 0.5 } },
      `/api/v1/search/models/iris/versions?metric=${encodeURIComponent('{"name":"accuracy","min":0.5}')}`,
    ],
    [
      'versions.compatibility',
      { model: 'iris', version: 2 },
      '/api/v1/models/iris/versions/2/compatibility',
    ],
    ['datasets.list', { name: 'iris' }, '/api/v1/datasets?name=iris'],
    ['datasets.get', { name: 'iris', version: 1 }, '/api/v1/datasets/iris?version=1'],
    ['datasets.search', { nameContains: 'iri' }, '/api/v1/search/datasets?nameContains=iri'],
    ['runs.get', { id: '<run>' }, '/api/v1/runs/<run>'],
    ['runs.list', { model: 'iris', status: 'queued' }, '/api/v1/runs?model=iris&status=queued'],
    ['runs.search', { model: 'iris' }, '/api/v1/search/runs?model=iris'],
    ['aliases.list', { model: 'iris' }, '/api/v1/models/iris/aliases'],
    ['aliases.history', { model: 'iris', limit: 10 }, '/api/v1/models/iris/alias-history?limit=10'],
    ['policies.get', { model: 'iris', alias: 'champion' }, '/api/v1/models/iris/policies/champion'],
    [
      'policies.evaluate',
      { model: 'iris', alias: 'champion', version: 1 },
      '/api/v1/models/iris/policies/champion/verdict?version=1',
    ],
    ['evaluations.list', { model: 'iris' }, '/api/v1/models/iris/evaluations'],
    ['events.recent', { limit: 20 }, '/api/v1/events?limit=20'],
    ['tokens.list', {}, '/api/v1/tokens'],
    ['webhooks.list', {}, '/api/v1/webhooks'],
    ['auth.whoami', {}, '/api/v1/auth/whoami'],
  ];

  it.each(reads)('%s', async (procedure, input, url) => {
    const withRun = (s: string) => s.replace('<run>', runId);
    const viaTrpc = await trpc(
      r.app,
      'query',
      procedure,
      JSON.parse(withRun(JSON.stringify(input))),
      r.auth,
    );
    expect(viaTrpc.status, JSON.stringify(viaTrpc.error)).toBe(200);
    const viaRest = await rest('GET', withRun(url));
    expect(viaRest.statusCode, viaRest.body).toBe(200);
    expect(viaRest.json()).toEqual(viaTrpc.data);
  });

  it('the answers are not empty (the parity above compares real data)', async () => {
    expect((await rest('GET', '/api/v1/models/iris/versions')).json()).toHaveLength(2);
    expect((await rest('GET', '/api/v1/runs?model=iris')).json()).toHaveLength(1);
    // A procedure answering null is JSON null, as tRPC's data.
    expect((await rest('GET', '/api/v1/models/iris/policies/champion')).body).toBe('null');
  });

  it('moves an alias with PUT and reads it back through both faces', async () => {
    const moved = await rest('PUT', '/api/v1/models/iris/aliases/champion', {
      version: 1,
      reason: 'first',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ alias: 'champion', version: 1 });
    const viaTrpc = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      {
        model: 'iris',
        alias: 'champion',
        version: 2,
      },
      r.auth,
    );
    expect(viaTrpc.status).toBe(200);
    const resolved = await rest('GET', '/api/v1/models/iris/aliases/champion');
    expect(resolved.json()).toMatchObject({ model: 'iris', version: 2 });
    const back = await rest('POST', '/api/v1/models/iris/aliases/champion/rollback', {});
    expect(back.json()).toMatchObject({ version: 1, from: 2 });
    const history = await trpc(r.app, 'query', 'aliases.history', { model: 'iris' }, r.auth);
    expect((await rest('GET', '/api/v1/models/iris/alias-history')).json()).toEqual(history.data);
    const deleted = await rest('DELETE', '/api/v1/models/iris/aliases/champion?reason=done');
    expect(deleted.json()).toEqual({ deleted: true });
  });

  it('creates and revokes a token, cancels a run', async () => {
    const created = await rest('POST', '/api/v1/tokens', { name: 'ci', scopes: ['read'] });
    expect(created.statusCode).toBe(200);
    const { id, token } = created.json<{ id: string; token: string }>();
    const me = await rest('GET', '/api/v1/auth/whoami', undefined, bearer(token));
    expect(me.json()).toMatchObject({ name: 'token:ci', tokenId: id, scopes: ['read'] });
    expect((await rest('DELETE', `/api/v1/tokens/${id}`)).json()).toEqual({ revoked: true });
    expect((await rest('GET', '/api/v1/auth/whoami', undefined, bearer(token))).statusCode).toBe(
      401,
    );
    const cancelled = await rest('POST', `/api/v1/runs/${runId}/cancel`, { reason: 'test' });
    expect(cancelled.json()).toMatchObject({ id: runId, status: 'cancelled' });
  });
});

describe('REST errors are tRPC errors', () => {
  it('names the path parameter at fault', async () => {
    const res = await rest('GET', '/api/v1/models/Not%20A%20Name');
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'name' }] });
    const version = await rest('GET', '/api/v1/models/iris/versions/two');
    expect(errorOf(version).details?.[0]?.path).toBe('version');
  });

  it('names the query parameter at fault, unknown ones included', async () => {
    const limit = await rest('GET', '/api/v1/models?limit=9999');
    expect(limit.statusCode).toBe(400);
    expect(errorOf(limit).details?.[0]?.path).toBe('limit');
    const typo = await rest('GET', '/api/v1/models?limt=5');
    expect(errorOf(typo).details).toEqual([{ path: 'limt', message: 'unknown query parameter' }]);
    const metric = await rest('GET', '/api/v1/search/runs?metric=accuracy');
    expect(errorOf(metric).details?.[0]?.path).toBe('metric');
  });

  it('names the body field at fault, with the same details as tRPC', async () => {
    const body = { version: 'one', forse: true };
    const res = await rest('PUT', '/api/v1/models/iris/aliases/champion', body);
    expect(res.statusCode).toBe(400);
    const viaTrpc = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: 'iris', alias: 'champion', ...body },
      r.auth,
    );
    expect(errorOf(res).details).toEqual(viaTrpc.error?.data.details);
    expect(
      errorOf(res)
        .details?.map((d) => d.path)
        .sort(),
    ).toEqual(['forse', 'version']);
    const inUrl = await rest('PUT', '/api/v1/models/iris/aliases/champion', {
      version: 1,
      model: 'x',
    });
    expect(errorOf(inUrl).details).toEqual([
      { path: 'model', message: 'given in the URL: leave it out of the body' },
    ]);
    const notJson = await r.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: 'a,b\n',
      headers: { ...r.auth, 'content-type': 'text/csv' },
    });
    expect(notJson.statusCode).toBe(400);
  });

  it('answers 404 and 409 as tRPC does', async () => {
    const missing = await rest('GET', '/api/v1/models/nope');
    expect(missing.statusCode).toBe(404);
    const viaTrpc = await trpc(r.app, 'query', 'models.get', { name: 'nope' }, r.auth);
    expect(errorOf(missing)).toMatchObject({ code: 'NOT_FOUND', message: viaTrpc.error?.message });
    await rest('PUT', '/api/v1/models/iris/aliases/staging', { version: 2 });
    const busy = await rest('DELETE', '/api/v1/models/iris/versions/2');
    expect(busy.statusCode).toBe(409);
    expect(errorOf(busy).code).toBe('CONFLICT');
  });
});

describe('REST tokens', () => {
  it('refuses a missing token (401) and a token without the scope (403) before the body', async () => {
    const created = await rest('POST', '/api/v1/tokens', { name: 'reader', scopes: ['read'] });
    const reader = created.json<{ token: string }>().token;
    // 20 MiB of not-JSON: refused on the token alone, never parsed (it would be a 413 or 400).
    const big = 'x'.repeat(20 * 1024 * 1024);
    const anonymous = await r.app.inject({
      method: 'PUT',
      url: '/api/v1/models/iris/aliases/champion',
      payload: big,
      headers: json,
    });
    expect(anonymous.statusCode).toBe(401);
    expect(errorOf(anonymous).code).toBe('UNAUTHORIZED');
    const weak = await r.app.inject({
      method: 'PUT',
      url: '/api/v1/models/iris/aliases/champion',
      payload: big,
      headers: { ...json, ...bearer(reader) },
    });
    expect(weak.statusCode).toBe(403);
    expect(errorOf(weak).message).toContain('promote');
    expect((await rest('GET', '/api/v1/models', undefined, {})).statusCode).toBe(401);
    expect((await rest('GET', '/api/v1/models', undefined, bearer(reader))).statusCode).toBe(200);
    expect((await rest('GET', '/api/v1/tokens', undefined, bearer(reader))).statusCode).toBe(403);
  });
});
