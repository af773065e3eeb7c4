import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, redisKeys, type Run } from '@mlops/contracts';
import { REDIS_URL, trpc, type TestRegistry } from './helpers';
import { startSeededRegistry } from './seed';

let r: TestRegistry;
let queue: Queue;

const base = {
  modelName: 'iris-sweep',
  dataset: { name: 'iris' },
  task: 'classification',
  target: 'species',
  hyperparameters: { epochs: 3 },
};

beforeAll(async () => {
  ({ r } = await startSeededRegistry());
  queue = new Queue(QUEUE_NAMES.train, {
    connection: { url: REDIS_URL },
    prefix: redisKeys(r.prefix).bullPrefix,
  });
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await r.close();
});

describe('sweeps', () => {
  it('stores the parent and one child run per grid point, and enqueues a flow in lanes', async () => {
    const res = await trpc(
      r.app,
      'mutation',
      'runs.create',
      {
        ...base,
        sweep: {
          strategy: 'grid',
          trials: 4,
          parallelism: 2,
          metric: 'accuracy',
          greaterIsBetter: true,
          space: { learningRate: [0.01, 0.1], batchSize: [8, 16] },
        },
      },
      r.auth,
    );
    expect(res.status).toBe(200);
    const parent = res.data as Run;
    expect(parent.status).toBe('queued');
    const trials = parent.trials ?? [];
    expect(trials).toHaveLength(4);
    expect(
      trials.map((t) => [t.hyperparameters.learningRate, t.hyperparameters.batchSize]).sort(),
    ).toEqual([
      [0.01, 16],
      [0.01, 8],
      [0.1, 16],
      [0.1, 8],
    ]);
    for (const trial of trials) {
      const child = (await trpc(r.app, 'query', 'runs.get', { id: trial.runId }, r.auth))
        .data as Run;
      expect(child).toMatchObject({ parentRunId: parent.id, status: 'queued' });
      expect(child.spec.sweep).toBeUndefined();
      expect(child.spec.hyperparameters.epochs).toBe(3);
    }

    // The sweep's job waits for its two lanes; each lane waits for its earlier trial.
    const job = await queue.getJob(parent.id);
    expect(job?.data).toEqual({ runId: parent.id });
    expect(await job?.getState()).toBe('waiting-children');
    const deps = await job!.getDependenciesCount();
    expect(deps.unprocessed).toBe(2);
    const states = await Promise.all(
      trials.map(async (t) => (await queue.getJob(t.runId))?.getState()),
    );
    expect(states.filter((s) => s === 'waiting')).toHaveLength(2);
    expect(states.filter((s) => s === 'waiting-children')).toHaveLength(2);

    // Cancelling the sweep cancels its trials.
    const cancelled = await trpc(r.app, 'mutation', 'runs.cancel', { id: parent.id }, r.auth);
    expect(cancelled.status).toBe(200);
    const after = (await trpc(r.app, 'query', 'runs.get', { id: parent.id }, r.auth)).data as Run;
    expect(after.status).toBe('cancelled');
    expect(after.trials?.every((t) => t.status === 'cancelled')).toBe(true);
  });

  it('lists a sweep parent with its trials in runs.list and runs.search, as runs.get does', async () => {
    const sweep = {
      strategy: 'grid',
      trials: 2,
      parallelism: 1,
      metric: 'accuracy',
      greaterIsBetter: true,
      space: { learningRate: [0.01, 0.1] },
    };
    const modelName = 'iris-sweep-listed';
    const created = (
      await trpc(r.app, 'mutation', 'runs.create', { ...base, modelName, sweep }, r.auth)
    ).data as Run;
    const got = (await trpc(r.app, 'query', 'runs.get', { id: created.id }, r.auth)).data as Run;
    expect(got.trials).toHaveLength(2);
    const listed = (await trpc(r.app, 'query', 'runs.list', { model: modelName }, r.auth))
      .data as Run[];
    const searched = (
      (await trpc(r.app, 'query', 'runs.search', { model: modelName }, r.auth)).data as {
        items: Run[];
      }
    ).items;
    for (const runs of [listed, searched]) {
      // The parent and its two trials; only the parent carries `trials`.
      expect(runs).toHaveLength(3);
      expect(runs.find((x) => x.id === created.id)?.trials).toEqual(got.trials);
      const children = runs.filter((x) => x.parentRunId === created.id);
      expect(children.map((c) => c.id).sort()).toEqual(got.trials!.map((t) => t.runId).sort());
      expect(children.every((c) => c.trials === undefined)).toBe(true);
    }
  });

  it('draws random trials reproducibly from ranges', async () => {
    const sweep = {
      strategy: 'random',
      trials: 3,
      parallelism: 3,
      metric: 'accuracy',
      greaterIsBetter: true,
      space: { learningRate: { min: 0.001, max: 0.1, log: true }, epochs: { min: 2, max: 5 } },
    };
    const a = (await trpc(r.app, 'mutation', 'runs.create', { ...base, sweep }, r.auth))
      .data as Run;
    const b = (await trpc(r.app, 'mutation', 'runs.create', { ...base, sweep }, r.auth))
      .data as Run;
    const points = (run: Run) =>
      (run.trials ?? [])
        .map((t) => t.hyperparameters)
        .sort((x, y) => x.learningRate - y.learningRate);
    expect(points(a)).toHaveLength(3);
    expect(points(a)).toEqual(points(b));
    for (const hp of points(a)) {
      expect(hp.learningRate).toBeGreaterThanOrEqual(0.001);
      expect(hp.learningRate).toBeLessThanOrEqual(0.1);
      expect(Number.isInteger(hp.epochs)).toBe(true);
    }
  });

  it('refuses bad sweeps with 400 naming the field, and stores nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [
        { strategy: 'grid', space: { learningRate: { min: 0.1, max: 1 } } },
        'sweep.space.learningRate',
      ],
      [{ strategy: 'grid', trials: 2, space: { learningRate: [0.1, 0.2, 0.3] } }, 'sweep.trials'],
      [{ strategy: 'grid', space: { learningRate: [0, 0.1] } }, 'sweep.space.learningRate'],
      [{ strategy: 'grid', space: { hiddenUnits: [1] } }, 'sweep.space'],
      [{ strategy: 'grid', space: {} }, 'sweep.space'],
    ];
    const before = (await trpc(r.app, 'query', 'runs.list', { model: 'bad-sweep' }, r.auth))
      .data as Run[];
    for (const [partial, path] of cases) {
      const sweep = { metric: 'accuracy', greaterIsBetter: true, ...(partial as object) };
      const res = await trpc(
        r.app,
        'mutation',
        'runs.create',
        { ...base, modelName: 'bad-sweep', sweep },
        r.auth,
      );
      expect(res.status, JSON.stringify(partial)).toBe(400);
      expect(res.error?.data.details?.[0]?.path, JSON.stringify(res.error)).toContain(path);
    }
    const after = (await trpc(r.app, 'query', 'runs.list', { model: 'bad-sweep' }, r.auth))
      .data as Run[];
    expect(after).toHaveLength(before.length);
  });

  it('completes only a trial without a version', async () => {
    const run = (await trpc(r.app, 'mutation', 'runs.create', base, r.auth)).data as Run;
    await trpc(r.app, 'mutation', 'runs.start', { id: run.id, backend: 'cpu' }, r.auth);
    const res = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      { id: run.id, metrics: { accuracy: 1 } },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.[0]?.path).toBe('version');
  });
});
