import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { FastifyRequest } from 'fastify';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { ServingApp } from '../src/app';
import { accessOf } from '../src/auth';
import { routesOf } from '@mlops/config';
import { servingOperations } from '../src/routes/openapi';
import { REDIS_URL, serveIris, tearDown, testPrefix } from './support/app';
import { BundleFactory } from './support/bundle';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix);
});
afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('serving GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/models/{name}:predict',
        '/v2/models/{name}/infer',
        '/invocations',
      ]),
    );
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('describes every route serving answers (HEAD aside)', () => {
    const described = new Set(
      servingOperations().map(
        (op) => `${op.method} ${op.route ?? op.path.replace(/\{(\w+)\}/g, ':$1')}`,
      ),
    );
    const served = routesOf(app)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((route) => !described.has(route))).toEqual([]);
  });

  it('is public, as are the probes; predictions and reads are not', () => {
    const access = (method: string, url: string) =>
      accessOf({ method, routeOptions: { url } } as unknown as FastifyRequest);
    expect(access('GET', '/openapi.json')).toBe('public');
    expect(access('GET', '/docs')).toBe('public');
    for (const op of servingOperations()) {
      const url = op.route ?? op.path.replace(/\{(\w+)\}/g, ':$1');
      const expected = op.access === 'public' ? 'public' : (op.access as { scope: string }).scope;
      expect(access(op.method, url), `${op.method} ${url}`).toBe(expected);
    }
  });

  it('serves /docs as a self-contained page', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('/openapi.json');
    expect(res.body).not.toMatch(/<script[^>]+src=/);
  });
});
