import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestPostgres,
  startTestS3,
  type TestPostgres,
  type TestS3,
} from '@mlops/storage/testing';
import { buildApp } from '../src/app';
import { createDeps } from '../src/deps';
import { deleteKeys, errorOf, REDIS_URL, TOKEN, trpc } from './helpers';

/**
 * A TCP forwarder in front of Postgres: closing it is "the database went down" without
 * touching the shared server; opening it again on the same port is "it came back".
 */
async function startProxy(
  target: number,
): Promise<{ port: number; down(): Promise<void>; up(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const make = () =>
    net.createServer((client) => {
      const upstream = net.connect(target, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  let server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    down: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    up: async () => {
      server = make();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
  };
}

let pg: TestPostgres;
let s3: TestS3;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let dir: string;
const prefix = `test-${randomUUID()}`;
let app: Awaited<ReturnType<typeof buildApp>>;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  pg = await createTestPostgres();
  s3 = await startTestS3();
  proxy = await startProxy(Number(new URL(pg.url).port || 5432));
  const url = new URL(pg.url);
  url.port = String(proxy.port);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-avail-'));
  const deps = await createDeps({
    dataDir: dir,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    adminToken: TOKEN,
    maxUploadBytes: 1024 * 1024,
    logLevel: 'silent',
    databaseUrl: url.toString(),
    s3: s3.config,
  });
  app = await buildApp(deps, { logLevel: 'silent' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await pg.drop();
  await s3.close();
  await deleteKeys(prefix);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Postgres + S3 going away (runs in every test run)', () => {
  it('a database that is down answers 503 with a clear message, and the registry recovers', async () => {
    expect((await trpc(app, 'query', 'models.list', {}, auth)).status).toBe(200);
    await proxy.down();
    const down = await trpc(app, 'query', 'models.list', {}, auth);
    expect([down.status, down.error?.data.appCode]).toEqual([503, 'UNAVAILABLE']);
    expect(down.error?.message).toMatch(/database is unreachable/);
    const mutation = await trpc(
      app,
      'mutation',
      'aliases.set',
      { model: 'm', alias: 'a', version: 1 },
      auth,
    );
    expect(mutation.status).toBe(503);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    await proxy.up();
    expect((await trpc(app, 'query', 'models.list', {}, auth)).status).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('an object store that is down answers 503 on upload and download, and recovers', async () => {
    const put = () =>
      app.inject({
        method: 'POST',
        url: '/api/blobs',
        payload: Buffer.from('bytes'),
        headers: { ...auth, 'content-type': 'application/octet-stream' },
      });
    const stored = await put();
    expect(stored.statusCode).toBe(201);
    const { sha256 } = stored.json<{ sha256: string }>();
    await s3.stop();
    const down = await put();
    expect(down.statusCode).toBe(503);
    expect(errorOf(down).message).toMatch(/object store .* is unreachable/);
    expect((await app.inject({ url: `/api/blobs/${sha256}`, headers: auth })).statusCode).toBe(503);
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const checks = ready.json<{ checks: Array<{ name: string; ok: boolean }> }>().checks;
    expect(checks.find((c) => c.name === 'artifacts')?.ok).toBe(false);
    await s3.restart();
    expect((await app.inject({ url: `/api/blobs/${sha256}`, headers: auth })).body).toBe('bytes');
  });
});
