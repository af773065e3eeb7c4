import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mlops/config';
import { buildApp } from '../src/http-app';
import { loadEnv } from '../src/env';
import { rawRequest } from './support/raw-http';

/**
 * Issue #16 item 10 for the dashboard: 70 slow sockets used to be held 30 s each. A slowloris
 * client (headers trickled, never finished) must be cut off by the headers timeout, and one
 * client address may hold only so many sockets. Short limits are configured for the test.
 */
const logger = createLogger('web-test', 'silent');
let web: FastifyInstance;
let port: number;
let distDir: string;
const MAX = 3;

beforeAll(async () => {
  distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
  web = await buildApp({
    upstreams: {
      registry: 'http://127.0.0.1:1',
      serving: 'http://127.0.0.1:1',
      monitor: 'http://127.0.0.1:1',
    },
    distDir,
    logger,
    limits: {
      MLOPS_HEADERS_TIMEOUT_MS: 400,
      MLOPS_REQUEST_TIMEOUT_MS: 2_000,
      MLOPS_MAX_CONNECTIONS_PER_CLIENT: MAX,
    },
  });
  port = Number(new URL(await web.listen({ port: 0, host: '127.0.0.1' })).port);
});

afterAll(async () => {
  await web.close();
  fs.rmSync(distDir, { recursive: true, force: true });
});

/** Resolves with what the server sent once it closes the socket, or `null` after `withinMs`. */
function closedWithin(socket: net.Socket, withinMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => resolve(null), withinMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

const connect = () =>
  new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });

describe('web server limits', () => {
  it('closes a slowloris socket whose headers never finish', async () => {
    const socket = await connect();
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    // One more header line every 100 ms, forever: the socket is never idle, never complete.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${Date.now()}: 1\r\n`);
    }, 100);
    const answer = await closedWithin(socket, 10_000);
    clearInterval(drip);
    socket.destroy();
    expect(answer, 'the socket was still open after 10 s').not.toBeNull();
    if (answer) expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a client’s sockets beyond the bound, and serves again once one is freed', async () => {
    const held = [];
    for (let i = 0; i < MAX; i++) held.push(await connect());
    // Each held socket is known to the server once it has answered on it.
    for (const s of held) {
      const answered = new Promise<string>((resolve) => s.once('data', (c) => resolve(String(c))));
      s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(await answered).toMatch(/^HTTP\/1\.1 200/);
    }
    const extra = await connect();
    extra.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(await closedWithin(extra, 10_000)).toBe('');

    held.pop()?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await rawRequest(port, { method: 'GET', target: '/healthz' });
    expect(again.status).toBe(200);
    for (const s of held) s.destroy();
    const metrics = await rawRequest(port, { method: 'GET', target: '/metrics' });
    expect(metrics.body).toMatch(/web_refused_connections_total [1-9]/);
  });

  it('reads the limits from the environment, as every app does', () => {
    expect(loadEnv({})).toMatchObject({
      MLOPS_HEADERS_TIMEOUT_MS: 10_000,
      MLOPS_REQUEST_TIMEOUT_MS: 300_000,
      MLOPS_MAX_CONNECTIONS_PER_CLIENT: 256,
    });
    expect(() => loadEnv({ MLOPS_HEADERS_TIMEOUT_MS: '0' })).toThrow(/MLOPS_HEADERS_TIMEOUT_MS/);
  });
});
