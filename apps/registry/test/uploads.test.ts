import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IRIS_CSV, startTestRegistry, trpc, type TestRegistry } from './helpers';

// Runs on the filesystem store with SQLite and, in test:infra, on S3 with Postgres.
let r: TestRegistry;
let base: string;

beforeAll(async () => {
  r = await startTestRegistry();
  await r.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(r.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await r.close();
});

async function storedBlobs(): Promise<string[]> {
  const out: string[] = [];
  for await (const b of r.deps.store.list()) out.push(b.sha256);
  return out.sort();
}

/** Send half of the declared body, then cut the connection (a client that died mid-upload). */
function truncatedUpload(path: string, body: string, contentType: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${base}${path}`, {
      method: 'POST',
      headers: {
        ...r.auth,
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(body) * 2),
      },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.write(body, () => setImmediate(() => req.destroy()));
  });
}

/** Wait until the registry has finished handling the aborted request (no timing assertion). */
async function settled(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const count = await new Promise<number>((resolve, reject) =>
      r.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );
    if (count === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a truncated upload leaves nothing registered', () => {
  it('blob: no object in the store', async () => {
    const before = await storedBlobs();
    await truncatedUpload('/api/blobs', 'x'.repeat(64 * 1024), 'application/octet-stream');
    await settled();
    expect(await storedBlobs()).toEqual(before);
  });

  it('dataset: no version and no object', async () => {
    const before = await storedBlobs();
    await truncatedUpload('/api/datasets/cut', IRIS_CSV.repeat(200), 'text/csv');
    await settled();
    expect((await trpc(r.app, 'query', 'datasets.list', { name: 'cut' }, r.auth)).data).toEqual([]);
    expect(await storedBlobs()).toEqual(before);
  });
});

describe('names are validated everywhere', () => {
  it.each(['..', '../etc', 'a/b', 'UPPER', 'x'.repeat(64), '-lead', 'sp ace'])(
    'refuses model name %j',
    async (name) => {
      const res = await trpc(r.app, 'query', 'models.get', { name }, r.auth);
      expect([res.status, res.error?.data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.error?.data.details?.[0]?.path).toBe('name');
    },
  );

  it('refuses version numbers the database cannot hold (400, not 500)', async () => {
    const res = await trpc(
      r.app,
      'query',
      'versions.get',
      { model: 'm', version: 2 ** 40 },
      r.auth,
    );
    expect([res.status, res.error?.data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('refuses a policy with no bound and a bad alias name', async () => {
    const res = await trpc(
      r.app,
      'mutation',
      'policies.set',
      { model: 'm', alias: '../x', metric: 'accuracy', greaterIsBetter: true },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.map((d) => d.path)).toEqual(expect.arrayContaining(['alias']));
  });
});
