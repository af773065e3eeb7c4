import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QUEUE_NAMES,
  redisKeys,
  type Evaluation,
  type GateVerdict,
  type ModelVersion,
  type Run,
} from '@mlops/contracts';
import { serviceToken } from '@mlops/config';
import { IRIS_CSV, irisRun, REDIS_URL, TOKEN, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

/** The promotion gate through the API: tokens, claimed vs measured metrics, evaluations. */

describe('the gate through the API', () => {
  let r: TestRegistry;
  let file: { sha256: string; size: number };
  let writer: { authorization: string };
  const trainer = { authorization: `Bearer ${serviceToken(TOKEN, 'trainer')}` };
  const MODEL = 'forged';

  beforeAll(async () => {
    ({ r, file } = await startSeededRegistry());
    const created = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'ci', scopes: ['write', 'promote'] },
      r.auth,
    );
    writer = { authorization: `Bearer ${(created.data as { token: string }).token}` };
    const set = await trpc(
      r.app,
      'mutation',
      'policies.set',
      { model: MODEL, metric: 'accuracy', greaterIsBetter: true, threshold: 0.99 },
      r.auth,
    );
    // New policies require platform metrics unless told otherwise.
    expect(set.data).toMatchObject({ requirePlatformMetrics: true });
  });
  afterAll(async () => {
    const queue = new Queue(QUEUE_NAMES.evaluate, {
      connection: { url: REDIS_URL },
      prefix: redisKeys(r.prefix).bullPrefix,
    });
    await queue.obliterate({ force: true }).finally(() => queue.close());
    await r.close();
  });

  const register = async (accuracy: number, headers = writer): Promise<ModelVersion> => {
    const manifest = { ...manifestWith(file), metrics: { accuracy } };
    const res = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: MODEL, manifest },
      headers,
    );
    expect(res.status).toBe(200);
    return res.data as ModelVersion;
  };

  it('a write token claiming 0.999 is refused, and the refusal names claimed vs platform', async () => {
    const v = await register(0.999);
    expect(v).toMatchObject({ claimedMetrics: { accuracy: 0.999 }, platformMetrics: null });
    const res = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: MODEL, alias: 'champion', version: v.version },
      writer,
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
      r.app,
      'query',
      'policies.evaluate',
      {
        model: MODEL,
        version: v.version,
      },
      writer,
    );
    expect(dry.data as GateVerdict).toMatchObject({
      passed: false,
      source: 'none',
      claimed: 0.999,
    });
  });

  it('a write token cannot report run metrics or tie a version to a run (403)', async () => {
    const run = (await trpc(r.app, 'mutation', 'runs.create', irisRun(MODEL), writer)).data as Run;
    for (const [path, input] of [
      ['runs.start', { id: run.id, backend: 'cpu' }],
      ['runs.complete', { id: run.id, metrics: { accuracy: 0.999 } }],
      ['runs.fail', { id: run.id, error: 'no' }],
      ['versions.create', { model: MODEL, manifest: manifestWith(file), runId: run.id }],
    ] as const) {
      const res = await trpc(r.app, 'mutation', path, input, writer);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.error?.message).toContain('"train" scope');
    }
  });

  it('metrics the trainer reports for its run are the version platform metrics and pass', async () => {
    const run = (await trpc(r.app, 'mutation', 'runs.create', irisRun(MODEL), writer)).data as Run;
    await trpc(r.app, 'mutation', 'runs.start', { id: run.id, backend: 'cpu' }, trainer);
    const manifest = { ...manifestWith(file), metrics: { accuracy: 0.5 } };
    const created = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: MODEL, manifest, runId: run.id },
      trainer,
    );
    const version = (created.data as ModelVersion).version;
    const done = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      { id: run.id, metrics: { accuracy: 0.995 }, version },
      trainer,
    );
    expect(done.status).toBe(200);
    const got = (await trpc(r.app, 'query', 'versions.get', { model: MODEL, version }, writer))
      .data;
    expect(got).toMatchObject({
      claimedMetrics: { accuracy: 0.5 },
      platformMetrics: {
        metrics: { accuracy: 0.995 },
        source: { kind: 'run', runId: run.id },
        recordedBy: 'service:trainer',
      },
    });
    const moved = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: MODEL, alias: 'champion', version },
      writer,
    );
    expect(moved.status).toBe(200);
    expect((moved.data as { verdict: GateVerdict }).verdict).toMatchObject({
      passed: true,
      source: 'platform',
      candidate: 0.995,
      claimed: 0.5,
    });
    const history = await trpc(r.app, 'query', 'aliases.history', { model: MODEL }, writer);
    expect(
      (history.data as { items: Array<{ verdict: GateVerdict }> }).items[0]?.verdict,
    ).toMatchObject({
      source: 'platform',
    });
  });

  it('versions.evaluate queues an evaluation that only the trainer completes', async () => {
    const v = await register(0.999);
    const bad = await trpc(
      r.app,
      'mutation',
      'versions.evaluate',
      { model: MODEL, version: v.version, dataset: { name: 'iris' }, extra: 1 },
      writer,
    );
    expect(bad.status).toBe(400);
    const res = await trpc(
      r.app,
      'mutation',
      'versions.evaluate',
      { model: MODEL, version: v.version, dataset: { name: 'iris' } },
      writer,
    );
    expect(res.status).toBe(200);
    const evaluation = res.data as Evaluation;
    expect(evaluation).toMatchObject({
      status: 'queued',
      dataset: { name: 'iris', version: 1 },
      requestedBy: 'token:ci',
    });
    const queue = new Queue(QUEUE_NAMES.evaluate, {
      connection: { url: REDIS_URL },
      prefix: redisKeys(r.prefix).bullPrefix,
    });
    try {
      expect((await queue.getJob(evaluation.id))?.data).toEqual({ evaluationId: evaluation.id });
    } finally {
      await queue.close();
    }
    const forged = await trpc(
      r.app,
      'mutation',
      'evaluations.complete',
      { id: evaluation.id, metrics: { accuracy: 1 }, rows: 5 },
      writer,
    );
    expect(forged.status).toBe(403);
    expect(
      (await trpc(r.app, 'mutation', 'evaluations.start', { id: evaluation.id }, trainer)).status,
    ).toBe(200);
    const done = await trpc(
      r.app,
      'mutation',
      'evaluations.complete',
      { id: evaluation.id, metrics: { accuracy: 0.4 }, rows: 5 },
      trainer,
    );
    expect(done.data).toMatchObject({ status: 'completed', metrics: { accuracy: 0.4 }, rows: 5 });
    const got = (
      await trpc(r.app, 'query', 'versions.get', { model: MODEL, version: v.version }, writer)
    ).data as ModelVersion;
    expect(got.platformMetrics).toMatchObject({
      metrics: { accuracy: 0.4 },
      source: {
        kind: 'evaluation',
        evaluationId: evaluation.id,
        dataset: { name: 'iris', version: 1 },
      },
    });
    const refused = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: MODEL, alias: 'champion', version: v.version },
      writer,
    );
    expect(refused.status).toBe(412);
    expect(refused.error?.message).toContain('platform accuracy 0.4');
    expect(refused.error?.message).toContain(`evaluation ${evaluation.id} on iris v1`);
    const listed = await trpc(
      r.app,
      'query',
      'evaluations.list',
      {
        model: MODEL,
        version: v.version,
      },
      writer,
    );
    expect((listed.data as Evaluation[]).map((e) => e.id)).toEqual([evaluation.id]);
  });

  it('refuses an evaluation dataset lacking the version columns, naming them', async () => {
    const v = await register(0.9);
    const manifest = { ...manifestWith(file) };
    manifest.signature = {
      ...manifest.signature,
      inputs: [{ name: 'petal_width', type: 'numeric', nullable: false }],
    };
    const other = (
      await trpc(r.app, 'mutation', 'versions.create', { model: MODEL, manifest }, writer)
    ).data as ModelVersion;
    const res = await trpc(
      r.app,
      'mutation',
      'versions.evaluate',
      { model: MODEL, version: other.version, dataset: { name: 'iris' } },
      writer,
    );
    expect([res.status, res.error?.data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.error?.data.details?.[0]?.message).toContain('"petal_width"');
    expect(v.version).toBeLessThan(other.version);
  });

  it('a pinned benchmark: evaluations on a dataset the writer uploaded do not count', async () => {
    const pinned = await trpc(
      r.app,
      'mutation',
      'policies.set',
      {
        model: MODEL,
        alias: 'benchmarked',
        metric: 'accuracy',
        greaterIsBetter: true,
        threshold: 0.99,
        requirePlatformMetrics: false,
        evaluationDataset: { name: 'iris' },
      },
      r.auth,
    );
    // Pinned to the version that is latest now, and a pin implies platform metrics.
    expect(pinned.data).toMatchObject({
      evaluationDataset: { name: 'iris', version: 1 },
      requirePlatformMetrics: true,
    });
    // Another row, so `iris` gets a new version (uploads are content-addressed).
    const upload = (name: string) =>
      r.app.inject({
        method: 'POST',
        url: `/api/datasets/${name}`,
        payload: `${IRIS_CSV}5.0,3.4,setosa,false\n`,
        headers: { ...writer, 'content-type': 'text/csv' },
      });
    expect((await upload('iris-easy')).statusCode).toBe(201);
    expect((await upload('iris')).statusCode).toBe(201); // iris v2: the pin stays on v1
    const v = await register(0.999);
    const evaluateOn = async (dataset: { name: string; version?: number }, accuracy: number) => {
      const queued = (
        await trpc(
          r.app,
          'mutation',
          'versions.evaluate',
          { model: MODEL, version: v.version, dataset },
          writer,
        )
      ).data as Evaluation;
      await trpc(r.app, 'mutation', 'evaluations.start', { id: queued.id }, trainer);
      const done = await trpc(
        r.app,
        'mutation',
        'evaluations.complete',
        { id: queued.id, metrics: { accuracy }, rows: 5 },
        trainer,
      );
      expect(done.data).toMatchObject({ completedBy: 'service:trainer' });
    };
    const move = () =>
      trpc(
        r.app,
        'mutation',
        'aliases.set',
        { model: MODEL, alias: 'benchmarked', version: v.version },
        writer,
      );
    await evaluateOn({ name: 'iris-easy' }, 1);
    await evaluateOn({ name: 'iris' }, 1); // v2, uploaded after the pin
    const refused = await move();
    expect(refused.status).toBe(412);
    expect(refused.error?.message).toContain('benchmark iris v1');
    expect(refused.error?.message).toContain('claimed accuracy 0.999 is not trusted');
    await evaluateOn({ name: 'iris', version: 1 }, 0.995);
    const moved = await move();
    expect(moved.status).toBe(200);
    expect((moved.data as { verdict: GateVerdict }).verdict).toMatchObject({
      passed: true,
      source: 'platform',
      candidate: 0.995,
      evaluationDataset: { name: 'iris', version: 1 },
    });
  });
});
