import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleManifest, SignatureCompatibility } from '@mlops/contracts';
import { trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

/**
 * A compatibility recorded before changes carried their effect said every removed feature was
 * breaking; serving ignores the keys of removed features, so it is answered again by today's
 * rules against the same version.
 */
let r: TestRegistry;
let file: { sha256: string; size: number };
const MODEL = 'evolved';

async function register(change?: (m: BundleManifest) => void): Promise<number> {
  const manifest = { ...manifestWith(file), metrics: { accuracy: 0.9 } };
  change?.(manifest);
  const res = await trpc(r.app, 'mutation', 'versions.create', { model: MODEL, manifest }, r.auth);
  expect(res.status, JSON.stringify(res.error)).toBe(200);
  return (res.data as { version: number }).version;
}

async function compatibility(version: number): Promise<SignatureCompatibility> {
  const res = await trpc(
    r.app,
    'query',
    'versions.compatibility',
    { model: MODEL, version },
    r.auth,
  );
  expect(res.status).toBe(200);
  return res.data as SignatureCompatibility;
}

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

describe('recorded signature compatibility', () => {
  it('answers a record without effects again by the current rules, against the same version', async () => {
    const v1 = await register((m) => {
      m.signature.inputs = [
        ...m.signature.inputs,
        { name: 'extra', type: 'numeric', nullable: true },
      ];
    });
    const set = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: MODEL, alias: 'champion', version: v1 },
      r.auth,
    );
    expect(set.status).toBe(200);
    const v2 = await register();
    const now = await compatibility(v2);
    expect(now).toMatchObject({
      breaking: false,
      against: { alias: 'champion', version: v1 },
      changes: [{ kind: 'removed', feature: 'extra', effect: 'none' }],
    });

    // As an older registry stored it: no effect, and a removal called breaking.
    const old = { ...now, breaking: true, changes: now.changes.map(({ effect: _e, ...c }) => c) };
    await r.deps.db
      .updateTable('model_versions')
      .set({ compat_json: JSON.stringify(old) })
      .where('model', '=', MODEL)
      .where('version', '=', v2)
      .execute();
    expect(await compatibility(v2)).toEqual(now);
  });
});
