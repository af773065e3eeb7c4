import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateVerdict, ModelTests, ModelVersion, Run } from '@mlops/contracts';
import { serviceToken } from '@mlops/config';
import { irisRun, TOKEN, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

/** Model tests as the trainer reports them: one behavioural result passes or fails. */
const tests = (behaviourPasses: boolean, lift: number): ModelTests => ({
  results: [
    {
      name: 'baseline:majority',
      kind: 'baseline',
      passed: true,
      value: lift,
      threshold: 0,
      detail: 'ok',
    },
    {
      name: 'petal_width_up',
      kind: 'directional',
      passed: behaviourPasses,
      value: behaviourPasses ? 1 : 0.4,
      threshold: 1,
      detail: behaviourPasses ? '20/20 rows held' : '8/20 rows held',
    },
  ],
  baselineLift: lift,
  baselines: [{ name: 'majority', metric: 'accuracy', value: 0.33, lift, logLoss: 1.09 }],
  slices: [],
  calibration: null,
  rows: 30,
});

describe('model tests as version state, read by the gate', () => {
  let r: TestRegistry;
  let file: { sha256: string; size: number };
  const trainer = { authorization: `Bearer ${serviceToken(TOKEN, 'trainer')}` };
  const MODEL = 'tested';

  beforeAll(async () => {
    ({ r, file } = await startSeededRegistry());
    const set = await trpc(
      r.app,
      'mutation',
      'policies.set',
      {
        model: MODEL,
        metric: 'accuracy',
        greaterIsBetter: true,
        threshold: 0.5,
        requireModelTests: true,
        minBaselineLift: 0.3,
      },
      r.auth,
    );
    expect(set.data).toMatchObject({ requireModelTests: true, minBaselineLift: 0.3 });
  });
  afterAll(async () => {
    await r.close();
  });

  /** A trainer-registered version whose run completes with `modelTests` (or none). */
  const trained = async (modelTests: ModelTests | undefined): Promise<number> => {
    const run = (await trpc(r.app, 'mutation', 'runs.create', irisRun(MODEL), r.auth)).data as Run;
    await trpc(r.app, 'mutation', 'runs.start', { id: run.id, backend: 'cpu' }, trainer);
    const created = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: MODEL, manifest: manifestWith(file), runId: run.id },
      trainer,
    );
    const version = (created.data as ModelVersion).version;
    const done = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      { id: run.id, metrics: { accuracy: 0.9 }, version, ...(modelTests ? { modelTests } : {}) },
      trainer,
    );
    expect(done.status).toBe(200);
    return version;
  };
  const promote = (version: number) =>
    trpc(r.app, 'mutation', 'aliases.set', { model: MODEL, alias: 'champion', version }, r.auth);

  it('stores the tests on the version, with the run that produced them', async () => {
    const version = await trained(tests(true, 0.5));
    const got = (await trpc(r.app, 'query', 'versions.get', { model: MODEL, version }, r.auth))
      .data as ModelVersion;
    expect(got.modelTests).toMatchObject({
      baselineLift: 0.5,
      source: { kind: 'run' },
      recordedBy: 'service:trainer',
    });
    expect(got.modelTests?.results.map((t) => t.name)).toEqual([
      'baseline:majority',
      'petal_width_up',
    ]);
  });

  it('refuses a version with a failed behavioural test, naming the test', async () => {
    const version = await trained(tests(false, 0.5));
    const res = await promote(version);
    expect([res.status, res.error?.data.appCode]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(res.error?.message).toContain('petal_width_up');
    const detail = res.error?.data.details?.find((d) => d.path === 'gate.model_tests');
    expect(detail?.message).toContain('failed: model_tests 1');
    expect(detail?.message).toContain('petal_width_up (8/20 rows held)');
  });

  it('refuses a lift below the policy bound, and a version with no tests at all', async () => {
    const low = await trained(tests(true, 0.1));
    const refused = await promote(low);
    expect(refused.status).toBe(412);
    const dry = (
      await trpc(r.app, 'query', 'policies.evaluate', { model: MODEL, version: low }, r.auth)
    ).data as GateVerdict;
    expect(dry.checks.find((c) => c.name === 'min_baseline_lift')).toMatchObject({
      passed: false,
      required: 0.3,
      actual: 0.1,
    });
    expect(dry.checks.find((c) => c.name === 'model_tests')).toMatchObject({ passed: true });

    const untested = await trained(undefined);
    const res = await promote(untested);
    expect(res.status).toBe(412);
    expect(res.error?.message).toContain('no platform model tests');
  });

  it('passes a version whose tests all passed with enough lift', async () => {
    const version = await trained(tests(true, 0.6));
    const res = await promote(version);
    expect(res.status).toBe(200);
    expect((res.data as { verdict: GateVerdict }).verdict.passed).toBe(true);
  });

  it('refuses malformed tests and policy bounds, naming the field', async () => {
    const bad = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      {
        id: 'run-00000000',
        metrics: {},
        version: 1,
        modelTests: { ...tests(true, 0.5), results: [{ name: 'x', kind: 'magic' }] },
      },
      trainer,
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.error?.data.details)).toContain('modelTests.results[0].kind');
    const policy = await trpc(
      r.app,
      'mutation',
      'policies.set',
      { model: MODEL, metric: 'accuracy', greaterIsBetter: true, minBaselineLift: 5 },
      r.auth,
    );
    expect(policy.status).toBe(400);
    expect(JSON.stringify(policy.error?.data.details)).toContain('minBaselineLift');
  });

  it('a write token cannot report model tests (403 before the body is used)', async () => {
    const created = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'writer', scopes: ['write', 'promote'] },
      r.auth,
    );
    const writer = { authorization: `Bearer ${(created.data as { token: string }).token}` };
    const res = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      { id: 'run-00000000', metrics: {}, version: 1, modelTests: tests(true, 1) },
      writer,
    );
    expect(res.status).toBe(403);
  });
});
