import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { routesOf } from '../src/http/route-table';
import { appRouter } from '../src/trpc/router';
import { startTestRegistry, type TestRegistry } from './helpers';

let r: TestRegistry;
let doc: OpenAPIV3_1.Document;

beforeAll(async () => {
  r = await startTestRegistry();
  const res = await r.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.json<OpenAPIV3_1.Document>();
});
afterAll(async () => {
  await r.close();
});

/** `METHOD /path/{param}` of every operation the document describes. */
function described(): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const method of Object.keys(item ?? {})) out.add(`${method.toUpperCase()} ${path}`);
  return out;
}

function operationIds(): string[] {
  return Object.values(doc.paths ?? {}).flatMap((item) =>
    Object.values(item ?? {}).map((op) => (op as OpenAPIV3_1.OperationObject).operationId ?? ''),
  );
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    // The validator does refuse a broken one (the check above can fail).
    const broken = { ...structuredClone(doc), paths: { '/x': { get: { responses: 'none' } } } };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('describes every tRPC procedure as a REST operation (operationId = procedure)', () => {
    const procedures = Object.keys(
      (appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures,
    );
    expect(procedures.length).toBeGreaterThan(40);
    const ids = new Set(operationIds());
    const missing = procedures.filter((p) => !ids.has(p));
    expect(missing, 'procedures without a REST route in src/rest/table.ts').toEqual([]);
  });

  it('describes every route the registry serves (tRPC transport and HEAD aside)', () => {
    const served = routesOf(r.app)
      .filter((route) => !['HEAD', 'OPTIONS'].includes(route.method))
      .filter((route) => !route.url.startsWith('/trpc'))
      .map((route) => `${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    expect(served).toEqual(expect.arrayContaining(['PUT /api/v1/models/{model}/aliases/{alias}']));
    const docs = described();
    expect(served.filter((route) => !docs.has(route))).toEqual([]);
    // …and describes nothing that is not served.
    expect([...docs].filter((route) => !served.includes(route))).toEqual([]);
  });

  it('names the scope each operation needs, matching the procedure meta', () => {
    const set = doc.paths?.['/api/v1/models/{model}/aliases/{alias}']?.put as Record<
      string,
      unknown
    >;
    expect(set['x-scope']).toBe('promote');
    expect(set.security).toEqual([{ bearer: [] }]);
    const whoami = doc.paths?.['/api/v1/auth/whoami']?.get as Record<string, unknown>;
    expect(whoami['x-scope']).toBe('authenticated');
    const health = doc.paths?.['/healthz']?.get as Record<string, unknown>;
    expect(health.security).toEqual([]);
  });

  it('takes schemas from the contracts: path, query and body parameters', () => {
    const get = doc.paths?.['/api/v1/models/{model}/versions/{version}']?.get;
    expect(
      get?.parameters?.map((p) => [(p as { name: string }).name, (p as { in: string }).in]),
    ).toEqual([
      ['model', 'path'],
      ['version', 'path'],
    ]);
    const set = doc.paths?.['/api/v1/models/{model}/aliases/{alias}']?.put;
    const body = (set?.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']
      ?.schema as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(body.properties).sort()).toEqual(
      ['acknowledgeBreaking', 'force', 'producedBy', 'reason', 'version'].sort(),
    );
    expect(body.required).toEqual(['version']);
    const search = doc.paths?.['/api/v1/search/runs']?.get;
    const metric = search?.parameters?.find((p) => (p as { name: string }).name === 'metric');
    expect(metric).toMatchObject({ in: 'query', content: { 'application/json': {} } });
  });
});

describe('GET /docs', () => {
  it('is a self-contained page (no external script or style) reading /openapi.json', async () => {
    const res = await r.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('/openapi.json');
    expect(res.body).not.toMatch(
      /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!json-schema)/,
    );
  });
});
