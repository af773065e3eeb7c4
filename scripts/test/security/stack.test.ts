import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../lib/stack';

/** The harness the security suite replays its attacks on: real processes, own tokens. */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ label: 'sec-stack', apps: ['serving'] });
}, 120_000);
afterAll(() => stack?.close());

describe('startStack', () => {
  it('starts the registry with the admin token and every app with its own service token', async () => {
    expect(await stack.admin.api.auth.whoami.query()).toMatchObject({ name: 'admin' });
    const res = await fetch(`${stack.urls.registry}/trpc/auth.whoami`, {
      headers: { authorization: `Bearer ${stack.tokenOf('serving')}` },
    });
    const body = (await res.json()) as { result: { data: { name: string } } };
    expect(body.result.data.name).toBe('service:serving');
    expect((await fetch(`${stack.urls.serving}/healthz`)).ok).toBe(true);
  });
});
