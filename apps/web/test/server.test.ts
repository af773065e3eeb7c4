import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { buildApp } from '../src/http-app';

const logger = createLogger('web-test', 'silent');
let upstream: FastifyInstance;
let upstreamUrl: string;
let distDir: string;

beforeAll(async () => {
  // A real HTTP server standing in for a service: it echoes what the proxy forwarded.
  upstream = Fastify();
  upstream.removeAllContentTypeParsers();
  upstream.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  upstream.get('/healthz', () => ({ status: 'ok' }));
  upstream.all('/*', (request) => ({
    method: request.method,
    url: request.url,
    authorization: request.headers.authorization ?? null,
    body: Buffer.isBuffer(request.body) ? request.body.toString('utf8') : null,
  }));
  upstreamUrl = await upstream.listen({ port: 0, host: '127.0.0.1' });
  distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
  fs.writeFileSync(
    path.join(distDir, 'index.html'),
    '<!doctype html><title>MLOps dashboard</title>',
  );
});

afterAll(async () => {
  await upstream.close();
  fs.rmSync(distDir, { recursive: true, force: true });
});

const appWith = (
  upstreams: { registry: string; serving: string; monitor: string },
  dir = distDir,
) => buildApp({ upstreams, distDir: dir, logger });

describe('web server', () => {
  it('serves the built dashboard and answers health and metrics', async () => {
    const app = await appWith({
      registry: upstreamUrl,
      serving: upstreamUrl,
      monitor: upstreamUrl,
    });
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('MLOps dashboard');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      assets: true,
      services: { registry: true, serving: true, monitor: true },
    });
    await app.inject({ method: 'GET', url: '/registry/x' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('web_proxied_requests_total{service="registry",status="2xx"} 1');
    await app.close();
  });

  it('forwards method, path, query, bearer token and body, with the prefix stripped', async () => {
    const app = await appWith({
      registry: upstreamUrl,
      serving: upstreamUrl,
      monitor: upstreamUrl,
    });
    const res = await app.inject({
      method: 'POST',
      url: '/registry/api/datasets/iris?format=csv',
      headers: { authorization: 'Bearer secret-token-123456', 'content-type': 'text/csv' },
      payload: 'a,b\n1,2\n',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      method: 'POST',
      url: '/api/datasets/iris?format=csv',
      authorization: 'Bearer secret-token-123456',
      body: 'a,b\n1,2\n',
    });
    const get = await app.inject({ method: 'GET', url: '/monitor/v1/drift/iris?window=30' });
    expect(get.json()).toMatchObject({ method: 'GET', url: '/v1/drift/iris?window=30' });
    await app.close();
  });

  it('answers 503 with an error body when a service is down, and readyz says which', async () => {
    const app = await appWith({
      registry: 'http://127.0.0.1:1',
      serving: upstreamUrl,
      monitor: upstreamUrl,
    });
    const res = await app.inject({ method: 'GET', url: '/registry/trpc/models.list' });
    expect(res.statusCode).toBe(503);
    const body = errorBodySchema.parse(res.json());
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toContain('http://127.0.0.1:1');
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ services: { registry: false, serving: true } });
    await app.close();
  });

  it('says how to build when the assets are missing, and 404s unknown paths', async () => {
    const app = await appWith(
      { registry: upstreamUrl, serving: upstreamUrl, monitor: upstreamUrl },
      path.join(distDir, 'missing'),
    );
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(errorBodySchema.parse(res.json()).error.message).toContain(
      'npm run build -w @mlops/web',
    );
    const unknown = await app.inject({ method: 'GET', url: '/nope/at/all' });
    expect(unknown.statusCode).toBe(404);
    expect(errorBodySchema.parse(unknown.json()).error.code).toBe('NOT_FOUND');
    await app.close();
  });
});
