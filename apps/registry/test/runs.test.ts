import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, redisKeys, type Run } from '@mlops/contracts';
import { irisRun, REDIS_URL, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

let r: TestRegistry;
let file: { sha256: string; size: number };
const manifest = () => manifestWith(file);

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

describe('runs', () => {
  it('creates a queued run and enqueues a train job with jobId = run id', async () => {
    const res = await trpc(r.app, 'mutation', 'runs.create', irisRun('iris-clf'), r.auth);
    expect(res.status).toBe(200);
    const run = res.data as Run;
    expect(run).toMatchObject({
      status: 'queued',
      modelName: 'iris-clf',
      spec: { dataset: { name: 'iris', version: 1 } },
    });
    const queue = new Queue(QUEUE_NAMES.train, {
      connection: { url: REDIS_URL },
      prefix: redisKeys(r.prefix).bullPrefix,
    });
    try {
      const job = await queue.getJob(run.id);
      expect(job?.data).toEqual({ runId: run.id });
      expect(job?.opts.attempts).toBe(3);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    const got = await trpc(r.app, 'query', 'runs.get', { id: run.id }, r.auth);
    expect(got.data).toMatchObject({ id: run.id, status: 'queued' });
  });

  it('answers 400 naming an unknown target column', async () => {
    const res = await trpc(
      r.app,
      'mutation',
      'runs.create',
      { modelName: 'm', dataset: { name: 'iris' }, task: 'classification', target: 'colour' },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.appCode).toBe('VALIDATION_FAILED');
    expect(res.error?.message).toContain('"colour"');
    expect(res.error?.data.details?.[0]?.path).toBe('target');
    const reg = await trpc(
      r.app,
      'mutation',
      'runs.create',
      { modelName: 'm', dataset: { name: 'iris' }, task: 'regression', target: 'species' },
      r.auth,
    );
    expect(reg.status).toBe(400);
    const missing = await trpc(
      r.app,
      'mutation',
      'runs.create',
      { modelName: 'm', dataset: { name: 'nope' }, task: 'regression', target: 'x' },
      r.auth,
    );
    expect(missing.status).toBe(404);
  });

  it('maps zod input errors to VALIDATION_FAILED naming the field', async () => {
    const res = await trpc(r.app, 'mutation', 'runs.create', irisRun('Bad Name'), r.auth);
    expect(res.status).toBe(400);
    expect(res.error?.data.appCode).toBe('VALIDATION_FAILED');
    expect(res.error?.data.details?.[0]?.path).toBe('modelName');
  });

  it('allows only valid transitions', async () => {
    const created = await trpc(r.app, 'mutation', 'runs.create', irisRun('flow'), r.auth);
    const id = (created.data as Run).id;
    expect(
      (
        await trpc(
          r.app,
          'mutation',
          'runs.progress',
          { id, progress: { epoch: 1, epochs: 2, loss: 1, valLoss: null, samplesPerSecond: null } },
          r.auth,
        )
      ).status,
    ).toBe(412);
    expect(
      (await trpc(r.app, 'mutation', 'runs.start', { id, backend: 'cpu' }, r.auth)).data,
    ).toMatchObject({ status: 'running', backend: 'cpu' });
    expect(
      (
        await trpc(
          r.app,
          'mutation',
          'runs.progress',
          { id, progress: { epoch: 1, epochs: 2, loss: 1, valLoss: null, samplesPerSecond: null } },
          r.auth,
        )
      ).data,
    ).toEqual({ ok: true });
    const v = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'flow', manifest: manifest(), runId: id },
      r.auth,
    );
    expect(v.data).toMatchObject({ version: 1 });
    const again = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'flow', manifest: manifest(), runId: id },
      r.auth,
    );
    expect(again.data).toMatchObject({ version: 1 });
    expect(
      (
        await trpc(
          r.app,
          'mutation',
          'runs.complete',
          { id, metrics: { accuracy: 1 }, version: 1 },
          r.auth,
        )
      ).data,
    ).toMatchObject({ status: 'completed', modelVersion: 1 });
    const fail = await trpc(r.app, 'mutation', 'runs.fail', { id, error: 'late' }, r.auth);
    expect(fail.status).toBe(412);
    expect(fail.error?.data.appCode).toBe('PRECONDITION_FAILED');
    const queue = new Queue(QUEUE_NAMES.train, {
      connection: { url: REDIS_URL },
      prefix: redisKeys(r.prefix).bullPrefix,
    });
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

describe('bad input', () => {
  it('answers 400 VALIDATION_FAILED for unparsable tRPC input, never 5xx', async () => {
    const res = await r.app.inject({
      method: 'GET',
      url: '/trpc/runs.get?input=%7Bnot-json',
      headers: r.auth,
    });
    expect(res.statusCode).toBe(400);
    const wrongType = await trpc(r.app, 'query', 'runs.get', { id: 12 }, r.auth);
    expect(wrongType.status).toBe(400);
    expect(wrongType.error?.data.details?.[0]?.path).toBe('id');
    const unknownProc = await trpc(r.app, 'query', 'runs.nope', {}, r.auth);
    expect(unknownProc.status).toBe(404);
    const junkBody = await r.app.inject({
      method: 'POST',
      url: '/trpc/aliases.set',
      payload: '{"model":',
      headers: { ...r.auth, 'content-type': 'application/json' },
    });
    expect(junkBody.statusCode).toBeLessThan(500);
  });

  it('refuses classification on a numeric target with too many values, and size mismatches', async () => {
    const csv = 'x,y\n' + Array.from({ length: 60 }, (_, i) => `${i},${i * 1.5}`).join('\n') + '\n';
    const up = await r.app.inject({
      method: 'POST',
      url: '/api/datasets/many',
      payload: csv,
      headers: { ...r.auth, 'content-type': 'text/csv' },
    });
    expect(up.statusCode).toBe(201);
    const res = await trpc(
      r.app,
      'mutation',
      'runs.create',
      { modelName: 'm', dataset: { name: 'many' }, task: 'classification', target: 'y' },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain('60 distinct');
    const m = manifest();
    m.files = [{ path: 'model.json', sha256: file.sha256, size: file.size + 1 }];
    const v = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'sizes', manifest: m },
      r.auth,
    );
    expect(v.status).toBe(412);
    expect(v.error?.data.details?.[0]?.path).toBe('manifest.files[0].size');
  });
});
