import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { buildApp } from '../src/http-app';
import { rawRequest } from './support/raw-http';
import { DECOY_BODY, startDecoy, startEcho, type Echo } from './support/upstreams';

/**
 * Replays issue #16 item 1 against the real dashboard server on loopback: `GET
 * /registry//127.0.0.1:<port>/steal` used to return an unrelated service's body with status 200
 * and the caller's Authorization forwarded to it. A decoy server stands in for that service and
 * counts every TCP contact: no path, encoding or method may reach it.
 */
const logger = createLogger('web-test', 'silent');
const SERVICES = ['registry', 'serving', 'monitor'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const TOKEN = 'Bearer caller-token-never-leaves-0123456789';

let web: FastifyInstance;
let webPort: number;
let decoy: Awaited<ReturnType<typeof startDecoy>>;
const echoes: Partial<Record<(typeof SERVICES)[number], Echo>> = {};
let distDir: string;

beforeAll(async () => {
  decoy = await startDecoy();
  for (const s of SERVICES) echoes[s] = await startEcho(s);
  distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
  fs.writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>dashboard</title>');
  web = await buildApp({
    upstreams: {
      registry: echoes.registry!.url,
      serving: echoes.serving!.url,
      monitor: echoes.monitor!.url,
    },
    distDir,
    logger,
  });
  webPort = Number(new URL(await web.listen({ port: 0, host: '127.0.0.1' })).port);
});

afterAll(async () => {
  await web.close();
  for (const e of Object.values(echoes)) await e.app.close();
  await decoy.app.close();
  fs.rmSync(distDir, { recursive: true, force: true });
});

/** Every way found (or tried) to make a path name another host or climb out of the upstream. */
function attackPaths(hostPort: string): string[] {
  return [
    `//${hostPort}/steal`,
    `///${hostPort}/steal`,
    `/%2F%2F${hostPort}/steal`,
    `/%2f%2f${hostPort}/steal`,
    `/%252F%252F${hostPort}/steal`,
    `/\\\\${hostPort}/steal`,
    `/\\/${hostPort}/steal`,
    `/%5C%5C${hostPort}/steal`,
    `/%5c%5c${hostPort}/steal`,
    `/http://${hostPort}/steal`,
    `/http:%2F%2F${hostPort}/steal`,
    `/https:\\\\${hostPort}/steal`,
    `/..//${hostPort}/steal`,
    `/../../steal`,
    `/x/../../${hostPort}/steal`,
    `/%2e%2e/%2e%2e/steal`,
    `/%2E%2E%2F${hostPort}/steal`,
    `/%252e%252e/steal`,
    `/./steal`,
    `/%00//${hostPort}/steal`,
    `/%09//${hostPort}/steal`,
  ];
}

describe('the proxy reaches only its three upstreams', () => {
  it('refuses every host-changing or traversing path with 400, for every prefix and method', async () => {
    const hostPort = `127.0.0.1:${decoy.port}`;
    const failures: string[] = [];
    for (const service of SERVICES) {
      for (const method of METHODS) {
        for (const attack of attackPaths(hostPort)) {
          const target = `/${service}${attack}`;
          const res = await rawRequest(webPort, {
            method,
            target,
            headers: { authorization: TOKEN, 'content-type': 'application/json' },
            ...(method === 'POST' || method === 'PUT' ? { body: '{"label":"virginica"}' } : {}),
          });
          if (res.body.includes(DECOY_BODY)) failures.push(`${method} ${target}: decoy's body`);
          else if (res.status !== 400) failures.push(`${method} ${target}: ${res.status}`);
          else {
            const error = errorBodySchema.parse(JSON.parse(res.body)).error;
            if (!error.message.startsWith('refused path')) failures.push(`${method} ${target}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(decoy.hits()).toBe(0);
    const metrics = await rawRequest(webPort, { method: 'GET', target: '/metrics' });
    expect(metrics.body).toMatch(/web_proxy_refused_paths_total\{service="registry"\} [1-9]/);
  });

  it('never reaches the decoy through absolute-form targets or odd-but-legal paths', async () => {
    const hostPort = `127.0.0.1:${decoy.port}`;
    const targets = [
      `http://${hostPort}/registry/steal`,
      `http://${hostPort}/steal`,
      `http://127.0.0.1:${webPort}/registry//${hostPort}/steal`,
      `/registry/@${hostPort}/steal`,
      `/registry/steal?next=http://${hostPort}/x`,
      `/registry/;@${hostPort}/steal`,
    ];
    for (const method of METHODS) {
      for (const target of targets) {
        const res = await rawRequest(webPort, {
          method,
          target,
          headers: { authorization: TOKEN },
        });
        expect(res.body, `${method} ${target}`).not.toContain(DECOY_BODY);
        if (res.status === 200) expect(JSON.parse(res.body)).toMatchObject({ service: 'registry' });
      }
    }
    expect(decoy.hits()).toBe(0);
  });
});

describe('legitimate calls still pass', () => {
  it('forwards method, path, query, body and the bearer token to the right service', async () => {
    for (const service of SERVICES) {
      for (const method of METHODS) {
        const body = method === 'POST' || method === 'PUT' ? 'a,b\n1,2\n' : undefined;
        const res = await rawRequest(webPort, {
          method,
          target: `/${service}/api/datasets/iris.v2?format=csv&x=%2F%2Fnot-a-host`,
          headers: { authorization: TOKEN, 'content-type': 'text/csv' },
          ...(body ? { body } : {}),
        });
        expect(res.status, `${method} /${service}`).toBe(200);
        const echoed = JSON.parse(res.body) as {
          headers: Record<string, string>;
          body: string | null;
        };
        expect(echoed).toMatchObject({
          service,
          method,
          url: '/api/datasets/iris.v2?format=csv&x=%2F%2Fnot-a-host',
        });
        expect(echoed.body ?? '').toBe(body ?? '');
        expect(echoed.headers.authorization).toBe(TOKEN);
        expect(echoed.headers.host).toBe(`127.0.0.1:${echoes[service]!.port}`);
      }
    }
    const root = await rawRequest(webPort, { method: 'GET', target: '/serving' });
    expect(JSON.parse(root.body)).toMatchObject({ service: 'serving', url: '/' });
    expect(decoy.hits()).toBe(0);
  });

  it('strips hop-by-hop headers and cookies both ways', async () => {
    const res = await rawRequest(webPort, {
      method: 'GET',
      target: '/monitor/v1/drift/iris',
      headers: {
        connection: 'close, x-client-hop',
        'x-client-hop': 'secret',
        'proxy-authorization': 'Basic cHJveHk6cHJveHk=',
        'keep-alive': 'timeout=5',
        'x-end-to-end': 'kept',
        cookie: 'sso=ambient-credential',
      },
    });
    expect(res.status).toBe(200);
    const echoed = JSON.parse(res.body) as { headers: Record<string, string> };
    expect(echoed.headers['x-end-to-end']).toBe('kept');
    for (const h of ['x-client-hop', 'proxy-authorization', 'keep-alive', 'cookie'])
      expect(echoed.headers[h], h).toBeUndefined();
    expect(res.headers['x-upstream-hop']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
