import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/trpc/router';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';

/**
 * Issue #16, item 10: unknown keys in a mutation's input were dropped, so `artifacts.gc` with
 * a misspelled `dryRun` ran a real collection. Every mutation now refuses them with a 400
 * naming the key, before doing anything.
 */
let r: TestRegistry;

beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(() => r.close());

const mutations = Object.entries(
  (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })
    ._def.procedures,
)
  .filter(([, p]) => p._def.type === 'mutation')
  .map(([path]) => path);

describe('mutation inputs are strict', () => {
  it('artifacts.gc with a misspelled dryRun is a 400 naming the key, and deletes nothing', async () => {
    const orphan = await r.app.inject({
      method: 'POST',
      url: '/api/blobs',
      payload: Buffer.from('an orphan blob nothing refers to'),
      headers: { ...r.auth, 'content-type': 'application/octet-stream' },
    });
    const { sha256 } = orphan.json<{ sha256: string }>();

    const gc = await trpc(
      r.app,
      'mutation',
      'artifacts.gc',
      { dryrun: true, minAgeSeconds: 0 },
      r.auth,
    );
    expect(gc.status).toBe(400);
    expect(gc.error?.data.appCode).toBe('VALIDATION_FAILED');
    expect(gc.error?.data.details?.map((d) => d.path)).toEqual(['dryrun']);
    expect(gc.error?.message).toContain('dryrun');

    const still = await r.app.inject({
      method: 'GET',
      url: `/api/blobs/${sha256}`,
      headers: r.auth,
    });
    expect(still.statusCode).toBe(200);
    // Spelled right, it is the dry run it was meant to be.
    const dry = await trpc(
      r.app,
      'mutation',
      'artifacts.gc',
      { dryRun: true, minAgeSeconds: 0 },
      r.auth,
    );
    expect(dry.data).toMatchObject({ orphans: 1, deleted: 0 });
  });

  it('tokens.create refuses a smuggled key and aliases.set a misspelled one', async () => {
    const token = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'ci', scopes: ['read'], admin: true },
      r.auth,
    );
    expect([token.status, token.error?.data.details?.map((d) => d.path)]).toEqual([400, ['admin']]);
    expect((await trpc(r.app, 'query', 'tokens.list', {}, r.auth)).data).toEqual([]);

    const alias = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: 'm', alias: 'champion', version: 1, froce: true },
      r.auth,
    );
    expect(alias.status).toBe(400);
    expect(alias.error?.data.details?.map((d) => d.path)).toContain('froce');
  });

  it.each(mutations)('%s names an unknown key', async (path) => {
    const res = await trpc(r.app, 'mutation', path, { notAKeyOfThisInput: 1 }, r.auth);
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.map((d) => d.path)).toContain('notAKeyOfThisInput');
  });
});
