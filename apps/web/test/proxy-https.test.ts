import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { buildApp } from '../src/http-app';
import { loadEnv } from '../src/env';
import { rawRequest } from './support/raw-http';
import { startEcho, type Echo } from './support/upstreams';

/**
 * An https upstream (node:http threw for one before): a certificate made for this test by the
 * openssl CLI, trusted through WEB_UPSTREAM_CA_FILE; without it the proxy must refuse to talk.
 */
const logger = createLogger('web-test', 'silent');
let dir: string;
let certFile: string;
let secure: Echo;
let plain: Echo;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  secure = await startEcho('registry', {
    key: fs.readFileSync(keyFile, 'utf8'),
    cert: fs.readFileSync(certFile, 'utf8'),
  });
  plain = await startEcho('serving');
});

afterAll(async () => {
  await secure.app.close();
  await plain.app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function webWith(ca: string | undefined) {
  const app = await buildApp({
    upstreams: { registry: secure.url, serving: plain.url, monitor: plain.url },
    distDir: dir,
    logger,
    upstreamCa: ca,
  });
  const port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  return { app, port };
}

describe('https upstreams', () => {
  it('proxies to an https upstream whose CA is in WEB_UPSTREAM_CA_FILE', async () => {
    expect(secure.url.startsWith('https://')).toBe(true);
    const env = loadEnv({ WEB_UPSTREAM_CA_FILE: certFile });
    const { app, port } = await webWith(env.WEB_UPSTREAM_CA_FILE?.pem);
    const res = await rawRequest(port, {
      method: 'POST',
      target: '/registry/trpc/runs.create?batch=1',
      headers: { authorization: 'Bearer tls-token-0123456789', 'content-type': 'application/json' },
      body: '{"0":{"dataset":"iris"}}',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      service: 'registry',
      url: '/trpc/runs.create?batch=1',
      body: '{"0":{"dataset":"iris"}}',
      headers: { authorization: 'Bearer tls-token-0123456789' },
    });
    const ready = await rawRequest(port, { method: 'GET', target: '/readyz' });
    expect(JSON.parse(ready.body)).toMatchObject({ services: { registry: true } });
    await app.close();
  });

  it('refuses an https upstream whose certificate it cannot verify (503, nothing forwarded)', async () => {
    const { app, port } = await webWith(undefined);
    const res = await rawRequest(port, { method: 'GET', target: '/registry/trpc/models.list' });
    expect(res.status).toBe(503);
    const error = errorBodySchema.parse(JSON.parse(res.body)).error;
    expect(error.message).toContain('WEB_UPSTREAM_CA_FILE');
    await app.close();
  });

  it('stops at start on a CA file that is missing or not a certificate', () => {
    expect(() => loadEnv({ WEB_UPSTREAM_CA_FILE: path.join(dir, 'nope.pem') })).toThrow(
      /WEB_UPSTREAM_CA_FILE/,
    );
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate');
    expect(() => loadEnv({ WEB_UPSTREAM_CA_FILE: junk })).toThrow(/not a PEM certificate/);
  });
});
