import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestRegistry } from './helpers';
import { startSeededRegistry } from './seed';

let r: TestRegistry;

beforeAll(async () => {
  ({ r } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

describe('blobs', () => {
  it('round-trips bytes with the sha header', async () => {
    const bytes = Buffer.from('hello blob');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const up = await r.app.inject({
      method: 'POST',
      url: '/api/blobs',
      payload: bytes,
      headers: { ...r.auth, 'content-type': 'application/octet-stream', 'x-content-sha256': sha },
    });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toEqual({ sha256: sha, size: bytes.length });
    const down = await r.app.inject({ method: 'GET', url: `/api/blobs/${sha}`, headers: r.auth });
    expect(down.statusCode).toBe(200);
    expect(down.headers['x-content-sha256']).toBe(sha);
    expect(down.rawPayload.equals(bytes)).toBe(true);
  });

  it('rejects a sha mismatch, bad sha strings, and missing tokens', async () => {
    const wrong = await r.app.inject({
      method: 'POST',
      url: '/api/blobs',
      payload: Buffer.from('x'),
      headers: {
        ...r.auth,
        'content-type': 'application/octet-stream',
        'x-content-sha256': '0'.repeat(64),
      },
    });
    expect(wrong.statusCode).toBe(412);
    expect(errorOf(wrong).code).toBe('PRECONDITION_FAILED');
    const badHeader = await r.app.inject({
      method: 'POST',
      url: '/api/blobs',
      payload: Buffer.from('x'),
      headers: { ...r.auth, 'x-content-sha256': '../../x' },
    });
    expect(badHeader.statusCode).toBe(400);
    expect(
      (
        await r.app.inject({
          method: 'GET',
          url: '/api/blobs/..%2F..%2Fetc%2Fpasswd',
          headers: r.auth,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await r.app.inject({ method: 'GET', url: `/api/blobs/${'f'.repeat(64)}`, headers: r.auth }))
        .statusCode,
    ).toBe(404);
    expect(
      (await r.app.inject({ method: 'POST', url: '/api/blobs', payload: Buffer.from('x') }))
        .statusCode,
    ).toBe(401);
  });
});

describe('health and metrics', () => {
  it('answers healthz, readyz and metrics', async () => {
    expect((await r.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await r.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ ok: true });
    const metrics = await r.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('registry_http_requests_total');
    expect(metrics.body).toMatch(/registry_model_versions_created_total \d+/);
    expect(errorOf(await r.app.inject({ method: 'GET', url: '/nope' })).code).toBe('NOT_FOUND');
  });
});
