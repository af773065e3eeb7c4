import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  QUEUE_NAMES,
  redisKeys,
  type Evaluation,
  type GateVerdict,
  type ModelVersion,
} from '@mlops/contracts';
import { IRIS_CSV, REDIS_URL, trpc } from './helpers';
import { useGateRegistry } from './gate-setup';
import { manifestWith } from './seed';

/** The promotion gate through the API: platform evaluations and pinned benchmarks. */

describe('the gate through the API: evaluations', () => {
  const gate = useGateRegistry();

  it('versions.evaluate queues an evaluation that only the trainer completes', async () => {
    const v = await gate.register(0.999);
    const bad = await trpc(
      gate.r.app,
      'mutation',
      'versions.evaluate',
      { model: gate.MODEL, version: v.version, dataset: { name: 'iris' }, extra: 1 },
      gate.writer,
    );
    expect(bad.status).toBe(400);
    const res = await trpc(
      gate.r.app,
      'mutation',
      'versions.evaluate',
      { model: gate.MODEL, version: v.version, dataset: { name: 'iris' } },
      gate.writer,
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
      prefix: redisKeys(gate.r.prefix).bullPrefix,
    });
    try {
      expect((await queue.getJob(evaluation.id))?.data).toEqual({ evaluationId: evaluation.id });
    } finally {
      await queue.close();
    }
    const forged = await trpc(
      gate.r.app,
      'mutation',
      'evaluations.complete',
      { id: evaluation.id, metrics: { accuracy: 1 }, rows: 5 },
      gate.writer,
    );
    expect(forged.status).toBe(403);
    expect(
      (await trpc(gate.r.app, 'mutation', 'evaluations.start', { id: evaluation.id }, gate.trainer))
        .status,
    ).toBe(200);
    const done = await trpc(
      gate.r.app,
      'mutation',
      'evaluations.complete',
      { id: evaluation.id, metrics: { accuracy: 0.4 }, rows: 5 },
      gate.trainer,
    );
    expect(done.data).toMatchObject({ status: 'completed', metrics: { accuracy: 0.4 }, rows: 5 });
    const got = (
      await trpc(
        gate.r.app,
        'query',
        'versions.get',
        { model: gate.MODEL, version: v.version },
        gate.writer,
      )
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
      gate.r.app,
      'mutation',
      'aliases.set',
      { model: gate.MODEL, alias: 'champion', version: v.version },
      gate.writer,
    );
    expect(refused.status).toBe(412);
    expect(refused.error?.message).toContain('platform accuracy 0.4');
    expect(refused.error?.message).toContain(`evaluation ${evaluation.id} on iris v1`);
    const listed = await trpc(
      gate.r.app,
      'query',
      'evaluations.list',
      {
        model: gate.MODEL,
        version: v.version,
      },
      gate.writer,
    );
    expect((listed.data as Evaluation[]).map((e) => e.id)).toEqual([evaluation.id]);
  });

  it('refuses an evaluation dataset lacking the version columns, naming them', async () => {
    const v = await gate.register(0.9);
    const manifest = { ...manifestWith(gate.file) };
    manifest.signature = {
      ...manifest.signature,
      inputs: [{ name: 'petal_width', type: 'numeric', nullable: false }],
    };
    const other = (
      await trpc(
        gate.r.app,
        'mutation',
        'versions.create',
        { model: gate.MODEL, manifest },
        gate.writer,
      )
    ).data as ModelVersion;
    const res = await trpc(
      gate.r.app,
      'mutation',
      'versions.evaluate',
      { model: gate.MODEL, version: other.version, dataset: { name: 'iris' } },
      gate.writer,
    );
    expect([res.status, res.error?.data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.error?.data.details?.[0]?.message).toContain('"petal_width"');
    expect(v.version).toBeLessThan(other.version);
  });

  it('a pinned benchmark: evaluations on a dataset the writer uploaded do not count', async () => {
    const pinned = await trpc(
      gate.r.app,
      'mutation',
      'policies.set',
      {
        model: gate.MODEL,
        alias: 'benchmarked',
        metric: 'accuracy',
        greaterIsBetter: true,
        threshold: 0.99,
        requirePlatformMetrics: false,
        evaluationDataset: { name: 'iris' },
      },
      gate.r.auth,
    );
    // Pinned to the version that is latest now, and a pin implies platform metrics.
    expect(pinned.data).toMatchObject({
      evaluationDataset: { name: 'iris', version: 1 },
      requirePlatformMetrics: true,
    });
    // Another row, so `iris` gets a new version (uploads are content-addressed).
    const upload = (name: string) =>
      gate.r.app.inject({
        method: 'POST',
        url: `/api/datasets/${name}`,
        payload: `${IRIS_CSV}5.0,3.4,setosa,false\n`,
        headers: { ...gate.writer, 'content-type': 'text/csv' },
      });
    expect((await upload('iris-easy')).statusCode).toBe(201);
    expect((await upload('iris')).statusCode).toBe(201); // iris v2: the pin stays on v1
    const v = await gate.register(0.999);
    const evaluateOn = async (dataset: { name: string; version?: number }, accuracy: number) => {
      const queued = (
        await trpc(
          gate.r.app,
          'mutation',
          'versions.evaluate',
          { model: gate.MODEL, version: v.version, dataset },
          gate.writer,
        )
      ).data as Evaluation;
      await trpc(gate.r.app, 'mutation', 'evaluations.start', { id: queued.id }, gate.trainer);
      const done = await trpc(
        gate.r.app,
        'mutation',
        'evaluations.complete',
        { id: queued.id, metrics: { accuracy }, rows: 5 },
        gate.trainer,
      );
      expect(done.data).toMatchObject({ completedBy: 'service:trainer' });
    };
    const move = () =>
      trpc(
        gate.r.app,
        'mutation',
        'aliases.set',
        { model: gate.MODEL, alias: 'benchmarked', version: v.version },
        gate.writer,
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
