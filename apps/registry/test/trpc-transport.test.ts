import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from './helpers';

/** What reaches the tRPC route's body: JSON, bounded, and only from a caller with the scope. */
let r: TestRegistry;

beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(() => r.close());

const TOO_LARGE = ' '.repeat(17 * 1024 ** 2); // past the 16 MiB default

function post(url: string, payload: string, headers: Record<string, string>) {
  return r.app.inject({ method: 'POST', url, payload, headers });
}

interface TrpcErrorBody {
  error: { message: string; data: { appCode: string; httpStatus: number } };
}

describe('the tRPC transport', () => {
  it('refuses a body past REGISTRY_MAX_JSON_BYTES with 413 in tRPC shape, naming the limit', async () => {
    const res = await post('/trpc/versions.create', TOO_LARGE, {
      ...r.auth,
      'content-type': 'application/json',
    });
    expect(res.statusCode).toBe(413);
    const body = res.json<TrpcErrorBody>();
    expect(body.error.data.appCode).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toContain('REGISTRY_MAX_JSON_BYTES');
  });

  it('an anonymous caller gets 401 before the size matters, and an unknown route 404', async () => {
    const anon = await post('/trpc/versions.create', TOO_LARGE, {
      'content-type': 'application/json',
    });
    expect([anon.statusCode, anon.json<TrpcErrorBody>().error.data.appCode]).toEqual([
      401,
      'UNAUTHORIZED',
    ]);
    const nowhere = await post('/api/nowhere', TOO_LARGE, { 'content-type': 'application/json' });
    expect(nowhere.statusCode).toBe(404);
  });

  it('answers a non-JSON body with 400 naming the content type (the adapter used to 500)', async () => {
    const res = await post('/trpc/versions.create', '--x\r\n', {
      ...r.auth,
      'content-type': 'multipart/form-data; boundary=x',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<TrpcErrorBody>();
    expect(body.error.data.appCode).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('application/json');
  });

  it('a batch refused for its token answers one error per call', async () => {
    const res = await post('/trpc/artifacts.gc,tokens.revoke?batch=1', '{}', {
      'content-type': 'application/json',
    });
    expect(res.statusCode).toBe(401);
    const body = res.json<TrpcErrorBody[]>();
    expect(body.map((b) => b.error.data.appCode)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED']);
  });
});
