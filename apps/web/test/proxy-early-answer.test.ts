import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mlops/config';
import { readErrorBody } from '@mlops/contracts';
import { buildApp } from '../src/http-app';

/**
 * A service that refuses a body before reading it (over its limit) answers and closes the
 * connection while the proxy is still sending. The caller must get the service's own answer or
 * a message saying that the service stopped reading the body, never a hang or "did not answer".
 */
const logger = createLogger('web-test', 'silent');
const LIMIT = 10_000;
let upstream: FastifyInstance;
let web: FastifyInstance;
let webUrl: string;
let distDir: string;

beforeAll(async () => {
  upstream = Fastify({ bodyLimit: LIMIT });
  upstream.addContentTypeParser('image/png', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );
  upstream.setErrorHandler((err: { statusCode?: number }, _request, reply) =>
    reply.code(err.statusCode ?? 500).send({ error: `refused by the service (${err.statusCode})` }),
  );
  upstream.post('/v1/models/m:predict', () => ({ ok: true }));
  const url = await upstream.listen({ port: 0, host: '127.0.0.1' });
  distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
  web = await buildApp({
    upstreams: { registry: url, serving: url, monitor: url },
    distDir,
    logger,
  });
  webUrl = await web.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  // The refused uploads leave sockets that never go idle on their own.
  web.server.closeAllConnections();
  upstream.server.closeAllConnections();
  await web.close();
  await upstream.close();
  fs.rmSync(distDir, { recursive: true, force: true });
});

describe('proxy: a service that answers before reading the whole body', () => {
  it('passes its answer on or says it stopped reading the body, every time', async () => {
    const body = new Uint8Array(4 * 1024 * 1024).fill(7);
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${webUrl}/serving/v1/models/m:predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const message = readErrorBody(await res.json())?.message ?? '';
      seen.push(`${res.status} ${message}`);
    }
    // Which of the two happens is a race between the answer and the write error.
    for (const answer of seen)
      expect(answer).toMatch(
        /^(413 refused by the service \(413\)|503 http:\/\/127\.0\.0\.1:\d+ closed the connection before reading the whole request body \([^)]+\), so its answer was lost: .*SERVING_MAX_BODY_BYTES)/,
      );
  });
});
