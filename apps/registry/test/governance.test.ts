import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleManifest } from '@mlops/contracts';
import { trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

let r: TestRegistry;
let file: { sha256: string; size: number };
const MODEL = 'gated';

async function register(
  metrics: Record<string, number>,
  change?: (m: BundleManifest) => void,
): Promise<number> {
  const manifest = { ...manifestWith(file), metrics };
  change?.(manifest);
  const res = await trpc(r.app, 'mutation', 'versions.create', { model: MODEL, manifest }, r.auth);
  expect(res.status).toBe(200);
  return (res.data as { version: number }).version;
}
const setAlias = (input: Record<string, unknown>, headers = r.auth) =>
  trpc(r.app, 'mutation', 'aliases.set', { model: MODEL, alias: 'champion', ...input }, headers);

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

describe('promotion gate (MLflow MetricThreshold semantics)', () => {
  it('stores a policy, refuses a candidate below it with the numbers, lets a better one through', async () => {
    const policy = await trpc(
      r.app,
      'mutation',
      'policies.set',
      {
        model: MODEL,
        metric: 'accuracy',
        greaterIsBetter: true,
        // These cases exercise MLflow's semantics on claimed numbers; gate.test.ts covers sources.
        requirePlatformMetrics: false,
        threshold: 0.8,
        minAbsoluteChange: 0.02,
      },
      r.auth,
    );
    expect(policy.data).toMatchObject({
      alias: 'champion',
      threshold: 0.8,
      minAbsoluteChange: 0.02,
      updatedBy: 'admin',
    });

    const v1 = await register({ accuracy: 0.7 });
    const low = await setAlias({ version: v1 });
    expect([low.status, low.error?.data.appCode]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(low.error?.data.details).toEqual(
      expect.arrayContaining([
        { path: 'gate.threshold', message: 'failed: accuracy 0.7 must be >= 0.8' },
      ]),
    );

    const v2 = await register({ accuracy: 0.85 });
    const first = await setAlias({ version: v2, reason: 'first champion' });
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({
      version: v2,
      verdict: { passed: true, candidate: 0.85, baseline: null },
    });

    // +0.01 over the baseline is less than minAbsoluteChange 0.02.
    const v3 = await register({ accuracy: 0.86 });
    const small = await setAlias({ version: v3 });
    expect(small.status).toBe(412);
    expect(small.error?.data.details).toEqual(
      expect.arrayContaining([
        {
          path: 'gate.accuracy',
          message: `candidate v${v3} accuracy=0.86 (claimed); baseline v${v2} accuracy=0.85 (claimed)`,
        },
        { path: 'gate.min_absolute_change', message: 'failed: accuracy 0.86 must be >= 0.87' },
      ]),
    );
    const dry = await trpc(
      r.app,
      'query',
      'policies.evaluate',
      { model: MODEL, version: v3 },
      r.auth,
    );
    expect(dry.data).toMatchObject({
      passed: false,
      candidate: 0.86,
      baseline: 0.85,
      baselineVersion: v2,
    });

    const v4 = await register({ accuracy: 0.9 });
    expect((await setAlias({ version: v4 })).data).toMatchObject({
      version: v4,
      verdict: { passed: true },
    });
  });

  it('lower-is-better and relative change mirror the bounds', async () => {
    await trpc(
      r.app,
      'mutation',
      'policies.set',
      {
        model: 'reg',
        alias: 'champion',
        metric: 'rmse',
        greaterIsBetter: false,
        requirePlatformMetrics: false,
        minRelativeChange: 0.1,
      },
      r.auth,
    );
    const reg = (rmse: number) =>
      trpc(
        r.app,
        'mutation',
        'versions.create',
        { model: 'reg', manifest: { ...manifestWith(file), metrics: { rmse } } },
        r.auth,
      );
    await reg(1.0);
    await reg(0.95);
    await reg(0.85);
    const move = (version: number) =>
      trpc(r.app, 'mutation', 'aliases.set', { model: 'reg', alias: 'champion', version }, r.auth);
    expect((await move(1)).status).toBe(200); // no baseline: only threshold (unset) applies
    const notEnough = await move(2); // 0.95 > 1.0 × 0.9
    expect(notEnough.error?.data.details).toEqual(
      expect.arrayContaining([
        { path: 'gate.min_relative_change', message: 'failed: rmse 0.95 must be <= 0.9' },
      ]),
    );
    expect((await move(3)).status).toBe(200);
    const missing = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'reg', manifest: { ...manifestWith(file), metrics: { mae: 0.1 } } },
      r.auth,
    );
    const noMetric = await move((missing.data as { version: number }).version);
    expect(noMetric.error?.data.details).toEqual(
      expect.arrayContaining([
        { path: 'gate.metric_present', message: 'failed: candidate lacks metric rmse' },
      ]),
    );
  });

  it('force needs admin: a promote token gets 403, admin moves and the audit says forced', async () => {
    const promoter = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'promoter', scopes: ['promote'] },
      r.auth,
    );
    const token = (promoter.data as { token: string }).token;
    const weak = await register({ accuracy: 0.5 });
    const denied = await setAlias(
      { version: weak, force: true },
      { authorization: `Bearer ${token}` },
    );
    expect([denied.status, denied.error?.data.appCode]).toEqual([403, 'FORBIDDEN']);
    const refused = await setAlias({ version: weak }, { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(412);
    const forced = await setAlias({ version: weak, force: true, reason: 'hotfix, metrics lag' });
    expect(forced.data).toMatchObject({ version: weak, verdict: { passed: false } });

    const history = await trpc(
      r.app,
      'query',
      'aliases.history',
      {
        model: MODEL,
        alias: 'champion',
        limit: 1,
      },
      r.auth,
    );
    const page = history.data as {
      items: Array<Record<string, unknown>>;
      nextCursor: number | null;
    };
    expect(page.items[0]).toMatchObject({
      from: 4,
      to: weak,
      actor: 'admin',
      forced: true,
      reason: 'hotfix, metrics lag',
      verdict: { passed: false, candidate: 0.5, baseline: 0.9 },
    });
    expect(page.nextCursor).not.toBeNull();
    const next = await trpc(
      r.app,
      'query',
      'aliases.history',
      {
        model: MODEL,
        alias: 'champion',
        limit: 10,
        cursor: page.nextCursor,
      },
      r.auth,
    );
    const rest = (next.data as { items: Array<{ from: number | null; to: number | null }> }).items;
    expect(rest.map((e) => [e.from, e.to])).toEqual([
      [2, 4],
      [null, 2],
    ]);
  });

  it('rollback is one call: back to the previous version, audited, no gate', async () => {
    const before = await trpc(
      r.app,
      'query',
      'versions.resolve',
      {
        model: MODEL,
        alias: 'champion',
      },
      r.auth,
    );
    const current = (before.data as { version: number }).version;
    const back = await trpc(
      r.app,
      'mutation',
      'aliases.rollback',
      { model: MODEL, alias: 'champion' },
      r.auth,
    );
    expect(back.data).toMatchObject({ version: 4, from: current });
    const history = await trpc(
      r.app,
      'query',
      'aliases.history',
      { model: MODEL, limit: 1 },
      r.auth,
    );
    expect((history.data as { items: unknown[] }).items[0]).toMatchObject({
      from: current,
      to: 4,
      reason: `rollback from v${current}`,
      verdict: null,
    });
    const none = await trpc(
      r.app,
      'mutation',
      'aliases.rollback',
      { model: MODEL, alias: 'staging' },
      r.auth,
    );
    expect(none.status).toBe(404);
  });
});

describe('signature compatibility', () => {
  it('marks a version that drops a champion feature as breaking; champion needs acknowledgment', async () => {
    await trpc(r.app, 'mutation', 'policies.delete', { model: MODEL }, r.auth);
    const breaking = await register({ accuracy: 0.99 }, (m) => {
      m.signature.inputs = [{ name: 'petal_length', type: 'numeric', nullable: false }];
    });
    const compat = await trpc(
      r.app,
      'query',
      'versions.compatibility',
      {
        model: MODEL,
        version: breaking,
      },
      r.auth,
    );
    const report = compat.data as {
      breaking: boolean;
      against: unknown;
      changes: Array<{ kind: string; feature: string }>;
    };
    expect(report.breaking).toBe(true);
    expect(report.against).toEqual({ alias: 'champion', version: 4 });
    expect(report.changes.map((c) => `${c.kind} ${c.feature}`)).toEqual(
      expect.arrayContaining(['removed sepal_length', 'added_required petal_length']),
    );
    const refused = await setAlias({ version: breaking });
    expect(refused.status).toBe(412);
    expect(refused.error?.data.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'signature.inputs.sepal_length' })]),
    );
    // Other aliases are not serving's contract: no acknowledgment needed.
    expect(
      (
        await trpc(
          r.app,
          'mutation',
          'aliases.set',
          { model: MODEL, alias: 'staging', version: breaking },
          r.auth,
        )
      ).status,
    ).toBe(200);
    const acked = await setAlias({
      version: breaking,
      acknowledgeBreaking: true,
      reason: 'new feature set',
    });
    expect(acked.data).toMatchObject({ version: breaking });

    const compatible = await register({ accuracy: 0.99 }, (m) => {
      m.signature.inputs = [
        { name: 'petal_length', type: 'numeric', nullable: false },
        { name: 'note', type: 'categorical', nullable: true },
      ];
    });
    const ok = await trpc(
      r.app,
      'query',
      'versions.compatibility',
      {
        model: MODEL,
        version: compatible,
        alias: 'champion',
      },
      r.auth,
    );
    expect(ok.data).toMatchObject({
      breaking: false,
      changes: [expect.objectContaining({ kind: 'added_optional' })],
    });
  });
});
