import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictResponseSchema } from '@mlops/contracts';
import { SETOSA, trainIris } from '../../lib/iris-model';
import { startStack, type Stack } from '../../lib/stack';
import { waitFor } from '../../lib/wait';

/**
 * Issue #16 items 2, 5 and 10 against serving, replayed on real processes: anonymous, bad and
 * revoked tokens, a token without the route's scope, a never-promoted version by number, the
 * guessable prediction ids, and 1e308 as a feature value.
 */
let stack: Stack;
let serving: string;
const tokens = { predict: '', read: '', revoked: '', revokedId: '' };

beforeAll(async () => {
  stack = await startStack({
    label: 'sec-serving',
    apps: ['trainer', 'serving'],
    // A short cache window, so the revocation replay does not wait the default 5 s.
    env: { MLOPS_TOKEN_CACHE_MS: '300', SERVING_RECONCILE_MS: '1000' },
  });
  serving = stack.urls.serving!;
  const v1 = await trainIris(stack.admin);
  await trainIris(stack.admin); // v2: registered, never promoted
  await stack.admin.api.aliases.set.mutate({ model: 'iris', version: v1, alias: 'champion' });
  const mint = async (name: string, scopes: Array<'predict' | 'read'>) =>
    stack.admin.api.tokens.create.mutate({ name, scopes });
  tokens.predict = (await mint('client', ['predict'])).token;
  tokens.read = (await mint('viewer', ['read'])).token;
  const revoked = await mint('leaked', ['predict', 'read']);
  tokens.revoked = revoked.token;
  tokens.revokedId = revoked.id;
  await waitFor('serving to load iris v1', async () => {
    const res = await get('/v1/models/iris', tokens.read);
    return res.status === 200 && (await res.text()).includes('AVAILABLE') ? true : undefined;
  });
}, 300_000);
afterAll(() => stack?.close());

function predict(path: string, token: string | null, instances: unknown[] = [SETOSA]) {
  return fetch(`${serving}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ instances }),
  });
}

function get(path: string, token: string | null) {
  return fetch(`${serving}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe('serving needs a scoped token (issue #16 items 2 and 5)', () => {
  it('answers 401 to anonymous and made-up tokens, for predictions and reads', async () => {
    for (const token of [null, 'mlops_guessed_token_0123456789', 'garbage']) {
      expect((await predict('/v1/models/iris:predict', token)).status, String(token)).toBe(401);
      expect((await get('/v1/models/iris', token)).status, String(token)).toBe(401);
      expect((await get('/v1/models/iris/metadata', token)).status, String(token)).toBe(401);
    }
    // Liveness and metrics stay open for orchestrators and Prometheus.
    expect((await get('/healthz', null)).status).toBe(200);
  });

  it('refuses an anonymous body before reading it', async () => {
    const res = await fetch(`${serving}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"instances": [${'1,'.repeat(2_000_000)}1]}`,
    });
    expect(res.status).toBe(401);
  });

  it('checks the token of image and binary tensor bodies before reading them', async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array<number>(1_000_000).fill(0)]);
    const image = (token: string | null) =>
      fetch(`${serving}/v1/models/iris:predict`, {
        method: 'POST',
        headers: {
          'content-type': 'image/jpeg',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: jpeg,
      });
    const header = JSON.stringify({
      inputs: [{ name: 'x', shape: [1], datatype: 'FP32', parameters: { binary_data_size: 4 } }],
    });
    const tensors = (token: string | null) =>
      fetch(`${serving}/v2/models/iris/infer`, {
        method: 'POST',
        headers: {
          'inference-header-content-length': String(header.length),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: Buffer.concat([Buffer.from(header), Buffer.alloc(4)]),
      });
    expect((await image(null)).status).toBe(401);
    expect((await tensors(null)).status).toBe(401);
    expect((await image(tokens.read)).status).toBe(403);
    expect((await tensors(tokens.read)).status).toBe(403);
    // With the scope, a feature model refuses them as a 400 that says what it takes.
    const wrong = await image(tokens.predict);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('one image input');
    expect((await tensors(tokens.predict)).status).toBe(400);
  });

  it('wants `predict` to predict and `read` to read', async () => {
    expect((await predict('/v1/models/iris:predict', tokens.read)).status).toBe(403);
    expect((await get('/v1/models/iris/metadata', tokens.predict)).status).toBe(403);
    expect((await predict('/v1/models/iris:predict', tokens.predict)).status).toBe(200);
    expect((await get('/v1/models/iris/metadata', tokens.read)).status).toBe(200);
  });

  it('stops honouring a revoked token within the cache window', async () => {
    expect((await predict('/v1/models/iris:predict', tokens.revoked)).status).toBe(200);
    await stack.admin.api.tokens.revoke.mutate({ id: tokens.revokedId });
    await waitFor(
      'the revoked token to be refused',
      async () => {
        const [p, r] = await Promise.all([
          predict('/v1/models/iris:predict', tokens.revoked),
          get('/v1/models/iris', tokens.revoked),
        ]);
        return p.status === 401 && r.status === 401 ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});

describe('what serving answers', () => {
  it('hands out prediction ids with at least 96 random bits, no shared prefix or counter', async () => {
    const res = await predict('/v1/models/iris:predict?format=platform', tokens.predict, [
      SETOSA,
      SETOSA,
      SETOSA,
    ]);
    const ids = predictResponseSchema.parse(await res.json()).predictionIds;
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      expect(id).not.toMatch(/-\d+$/); // the old `<instance hex>-<counter>`
      expect(Buffer.from(id, 'base64url').length * 8).toBeGreaterThanOrEqual(96);
    }
    expect(ids[0]!.slice(0, 8)).not.toBe(ids[1]!.slice(0, 8));
  });

  it('answers 404 for a never-promoted version by number; the promoted one is served', async () => {
    const res = await predict('/v1/models/iris/versions/2:predict', tokens.predict);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no alias points at it/);
    expect((await get('/v1/models/iris/versions/2/metadata', tokens.read)).status).toBe(404);
    expect((await predict('/v1/models/iris/versions/1:predict', tokens.predict)).status).toBe(200);
  });

  it('refuses 1e308 as a feature value with a 4xx naming it, not 200 with null probabilities', async () => {
    const res = await predict('/v1/models/iris:predict', tokens.predict, [
      { ...SETOSA, petal_length: 1e308 },
    ]);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as { error: string; details?: Array<{ path?: string }> };
    expect(body.details?.[0]?.path).toBe('instances[0].petal_length');
  });

  it('flags an input far outside the training range, and still answers', async () => {
    const res = await predict('/v1/models/iris:predict', tokens.predict, [
      { ...SETOSA, sepal_width: 35_000 },
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-mlops-out-of-range')).toBe('instances[0].sepal_width');
    const body = (await res.json()) as { predictions: Array<{ probabilities: object }> };
    for (const p of Object.values(body.predictions[0]!.probabilities)) expect(p).not.toBeNull();
  });
});
