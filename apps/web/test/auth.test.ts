import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mlops/config';
import {
  auth,
  authFetch,
  createAuthStore,
  READ_ONLY,
  READS_CLOSED_NOTICE,
  REFUSED_NOTICE,
  STORAGE_KEY,
  type TokenStorage,
} from '../src/api/auth';
import { buildApp } from '../src/http-app';

const memoryStorage = (): TokenStorage & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
};

describe('the dashboard’s session', () => {
  it('keeps the token in session storage across a reload, and forgets it on sign-out', () => {
    const storage = memoryStorage();
    const store = createAuthStore(storage);
    expect(store.get()).toEqual({ kind: 'signed-out', notice: null });
    store.signIn('tok-1', 'token:ci', { ...READ_ONLY, upload: true });
    const reloaded = createAuthStore(storage);
    expect(reloaded.get()).toMatchObject({ kind: 'signed-in', token: 'tok-1', name: 'token:ci' });
    expect(reloaded.token()).toBe('tok-1');
    reloaded.signOut();
    expect(storage.map.has(STORAGE_KEY)).toBe(false);
    expect(createAuthStore(storage).get().kind).toBe('signed-out');
  });

  it('goes back to sign-in with a message on a 401 to its own token, not to anyone else’s', () => {
    const storage = memoryStorage();
    const store = createAuthStore(storage);
    store.signIn('current', 'admin', READ_ONLY);
    store.answered(401, 'a-candidate-being-checked');
    store.answered(403, 'current');
    store.answered(200, 'current');
    expect(store.get().kind).toBe('signed-in');
    store.answered(401, 'current');
    expect(store.get()).toEqual({ kind: 'signed-out', notice: REFUSED_NOTICE });
    expect(REFUSED_NOTICE).not.toContain('current');
    expect(storage.map.has(STORAGE_KEY)).toBe(false);

    store.browseAnonymously();
    store.answered(401, null);
    expect(store.get()).toEqual({ kind: 'signed-out', notice: READS_CLOSED_NOTICE });
  });
});

describe('authFetch through the real proxy', () => {
  let upstream: FastifyInstance;
  let web: FastifyInstance;
  let webUrl: string;
  let distDir: string;

  beforeAll(async () => {
    // A registry stand-in that knows one token, as a registry enforcing `read` does.
    upstream = Fastify();
    upstream.get('/trpc/models.list', (request, reply) =>
      request.headers.authorization === 'Bearer good-token'
        ? { result: { data: [] } }
        : reply.code(401).send({ error: { message: 'unknown token' } }),
    );
    const url = await upstream.listen({ port: 0, host: '127.0.0.1' });
    distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    web = await buildApp({
      upstreams: { registry: url, serving: url, monitor: url },
      distDir,
      logger: createLogger('web-test', 'silent'),
    });
    webUrl = await web.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await web.close();
    await upstream.close();
    fs.rmSync(distDir, { recursive: true, force: true });
  });

  it('sends the session’s token as a bearer header and signs out when it is refused', async () => {
    auth.signIn('good-token', 'token:viewer', READ_ONLY);
    const ok = await authFetch(`${webUrl}/registry/trpc/models.list`);
    expect(ok.status).toBe(200);
    expect(auth.get().kind).toBe('signed-in');

    auth.signIn('revoked-token', 'token:viewer', READ_ONLY);
    const refused = await authFetch(`${webUrl}/registry/trpc/models.list`);
    expect(refused.status).toBe(401);
    expect(auth.get()).toEqual({ kind: 'signed-out', notice: REFUSED_NOTICE });
  });
});
