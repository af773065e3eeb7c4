import { describe, expect, it } from 'vitest';
import type { GateVerdict, ModelVersion, Run } from '@mlops/contracts';
import { irisRun, trpc } from './helpers';
import { useGateRegistry } from './gate-setup';
import { manifestWith } from './seed';

/** The promotion gate through the API: tokens, and claimed vs platform-measured metrics. */

describe('the gate through the API: claimed and platform metrics', () => {
  const gate = useGateRegistry();

  it('a write token claiming 0.999 is refused, and the refusal names claimed vs platform', async () => {
    const v = await gate.register(0.999);
    expect(v).toMatchObject({ claimedMetrics: { accuracy: 0.999 }, platformMetrics: null });
    const res = await trpc(
      gate.r.app,
      'mutation',
      'aliases.set',
      { model: gate.MODEL, alias: 'champion', version: v.version },
      gate.writer,
    );
    expect([res.status, res.error?.data.appCode]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(res.error?.message).toContain('claimed accuracy 0.999 is not trusted');
    expect(res.error?.message).toContain('platform');
    expect(res.error?.data.details).toEqual(
      expect.arrayContaining([
        {
          path: 'gate.platform_metrics',
          message: `failed: v${v.version} has no platform-computed metrics, only claimed ones`,
        },
      ]),
    );
    const dry = await trpc(
      gate.r.app,
      'query',
      'policies.evaluate',
      {
        model: gate.MODEL,
        version: v.version,
      },
      gate.writer,
    );
    expect(dry.data as GateVerdict).toMatchObject({
      passed: false,
      source: 'none',
      claimed: 0.999,
    });
  });

  it('a write token cannot report run metrics or tie a version to a run (403)', async () => {
    const run = (
      await trpc(gate.r.app, 'mutation', 'runs.create', irisRun(gate.MODEL), gate.writer)
    ).data as Run;
    for (const [path, input] of [
      ['runs.start', { id: run.id, backend: 'cpu' }],
      ['runs.complete', { id: run.id, metrics: { accuracy: 0.999 } }],
      ['runs.fail', { id: run.id, error: 'no' }],
      ['versions.create', { model: gate.MODEL, manifest: manifestWith(gate.file), runId: run.id }],
    ] as const) {
      const res = await trpc(gate.r.app, 'mutation', path, input, gate.writer);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.error?.message).toContain('"train" scope');
    }
  });

  it('metrics the trainer reports for its run are the version platform metrics and pass', async () => {
    const run = (
      await trpc(gate.r.app, 'mutation', 'runs.create', irisRun(gate.MODEL), gate.writer)
    ).data as Run;
    await trpc(gate.r.app, 'mutation', 'runs.start', { id: run.id, backend: 'cpu' }, gate.trainer);
    const manifest = { ...manifestWith(gate.file), metrics: { accuracy: 0.5 } };
    const created = await trpc(
      gate.r.app,
      'mutation',
      'versions.create',
      { model: gate.MODEL, manifest, runId: run.id },
      gate.trainer,
    );
    const version = (created.data as ModelVersion).version;
    const done = await trpc(
      gate.r.app,
      'mutation',
      'runs.complete',
      { id: run.id, metrics: { accuracy: 0.995 }, version },
      gate.trainer,
    );
    expect(done.status).toBe(200);
    const got = (
      await trpc(gate.r.app, 'query', 'versions.get', { model: gate.MODEL, version }, gate.writer)
    ).data;
    expect(got).toMatchObject({
      claimedMetrics: { accuracy: 0.5 },
      platformMetrics: {
        metrics: { accuracy: 0.995 },
        source: { kind: 'run', runId: run.id },
        recordedBy: 'service:trainer',
      },
    });
    const moved = await trpc(
      gate.r.app,
      'mutation',
      'aliases.set',
      { model: gate.MODEL, alias: 'champion', version },
      gate.writer,
    );
    expect(moved.status).toBe(200);
    expect((moved.data as { verdict: GateVerdict }).verdict).toMatchObject({
      passed: true,
      source: 'platform',
      candidate: 0.995,
      claimed: 0.5,
    });
    const history = await trpc(
      gate.r.app,
      'query',
      'aliases.history',
      { model: gate.MODEL },
      gate.writer,
    );
    expect(
      (history.data as { items: Array<{ verdict: GateVerdict }> }).items[0]?.verdict,
    ).toMatchObject({
      source: 'platform',
    });
  });
});
