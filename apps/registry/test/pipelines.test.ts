import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QUEUE_NAMES,
  pipelineStepJobId,
  redisKeys,
  type PipelineJobPayload,
  type PipelineRun,
} from '@mlops/contracts';
import { REDIS_URL, startTestRegistry, trpc, type TestRegistry } from './helpers';

let r: TestRegistry;
let queue: Queue<PipelineJobPayload>;
const key = (c: string) => c.repeat(64);

// a → b → c, and d beside them; c runs only when b says ok.
const definition = {
  name: 'p-test',
  parameters: { n: { type: 'integer', default: 1, min: 1 } },
  steps: [
    { id: 'a', uses: 'custom/noop', with: { n: '${{ params.n }}' } },
    { id: 'b', uses: 'custom/noop', with: { x: '${{ steps.a.outputs.x }}' } },
    {
      id: 'c',
      uses: 'set-alias',
      with: {},
      when: { left: '${{ steps.b.outputs.ok }}', op: 'eq', right: true },
    },
  ],
};

beforeAll(async () => {
  r = await startTestRegistry();
  queue = new Queue(QUEUE_NAMES.pipeline, {
    connection: { url: REDIS_URL },
    prefix: redisKeys(r.prefix).bullPrefix,
  });
  const res = await trpc(r.app, 'mutation', 'pipelines.register', { definition }, r.auth);
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await queue.close();
  await r.close();
});

const call = async (kind: 'query' | 'mutation', name: string, input: unknown) => {
  const res = await trpc(r.app, kind, `pipelines.${name}`, input, r.auth);
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.error?.message}`);
  return res.data;
};
const step = (run: PipelineRun, id: string) => run.steps.find((s) => s.stepId === id);

describe('pipelines', () => {
  it('refuses bad definitions with 400 naming the field', async () => {
    const cyclic = {
      name: 'cyc',
      steps: [
        { id: 'a', uses: 'train', with: { v: '${{ steps.b.outputs.v }}' } },
        { id: 'b', uses: 'train', with: { v: '${{ steps.a.outputs.v }}' } },
      ],
    };
    const bad = await trpc(r.app, 'mutation', 'pipelines.register', { definition: cyclic }, r.auth);
    expect(bad.status).toBe(400);
    expect(bad.error?.data.details).toEqual([
      { path: 'definition.steps[0].id', message: 'steps form a cycle: a → b → a' },
    ]);
    const unknown = {
      name: 'unk',
      steps: [{ id: 'a', uses: 'train', with: { v: '${{ steps.zz.outputs.v }}' } }],
    };
    const res = await trpc(
      r.app,
      'mutation',
      'pipelines.register',
      { definition: unknown },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.[0]?.path).toBe('definition.steps[0].with.v');
  });

  it('refuses bad parameters naming the parameter, and unknown pipelines with 404', async () => {
    const res = await trpc(
      r.app,
      'mutation',
      'pipelines.run',
      { name: 'p-test', parameters: { n: 0 } },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details).toEqual([{ path: 'parameters.n', message: 'must be >= 1' }]);
    const missing = await trpc(r.app, 'mutation', 'pipelines.run', { name: 'nope' }, r.auth);
    expect(missing.status).toBe(404);
  });

  it('needs the train scope to run and read to look', async () => {
    const tok = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'w', scopes: ['write'] },
      r.auth,
    );
    const write = { authorization: `Bearer ${(tok.data as { token: string }).token}` };
    expect((await trpc(r.app, 'mutation', 'pipelines.run', { name: 'p-test' }, write)).status).toBe(
      403,
    );
    expect((await trpc(r.app, 'query', 'pipelines.list', { limit: 5 }, write)).status).toBe(200);
    expect((await trpc(r.app, 'query', 'pipelines.list', { limit: 5 })).status).toBe(401);
    // p-test moves an alias: a train token without promote may not start it.
    const t = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 't', scopes: ['train'] },
      r.auth,
    );
    const train = { authorization: `Bearer ${(t.data as { token: string }).token}` };
    const refused = await trpc(r.app, 'mutation', 'pipelines.run', { name: 'p-test' }, train);
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/promote/);
  });

  it('enqueues ready steps one by one, records outputs, caches, skips below a false when', async () => {
    const run = (await call('mutation', 'run', {
      name: 'p-test',
      parameters: { n: '3' },
    })) as PipelineRun;
    expect(run.parameters).toEqual({ n: 3 });
    expect(await queue.getJob(pipelineStepJobId(run.id, 'a'))).toBeTruthy();
    expect(await queue.getJob(pipelineStepJobId(run.id, 'b'))).toBeUndefined();

    const claim = (await call('mutation', 'claimStep', {
      runId: run.id,
      stepId: 'a',
      inputs: { n: 3 },
      cacheKey: key('a'),
    })) as { action: string };
    expect(claim.action).toBe('run');
    let after = (await call('mutation', 'completeStep', {
      runId: run.id,
      stepId: 'a',
      outputs: { x: 1 },
    })) as PipelineRun;
    expect(after.status).toBe('running');
    expect(step(after, 'a')).toMatchObject({ status: 'succeeded', cached: false, attempts: 1 });
    expect((await queue.getJob(pipelineStepJobId(run.id, 'b')))?.data).toEqual({
      runId: run.id,
      stepId: 'b',
    });

    // A redelivered job of a finished step does nothing.
    const again = (await call('mutation', 'claimStep', {
      runId: run.id,
      stepId: 'a',
      inputs: { n: 3 },
      cacheKey: key('a'),
    })) as { action: string; step: { attempts: number } };
    expect(again).toMatchObject({ action: 'done', step: { attempts: 1 } });

    await call('mutation', 'claimStep', { runId: run.id, stepId: 'b', inputs: {}, cacheKey: null });
    after = (await call('mutation', 'completeStep', {
      runId: run.id,
      stepId: 'b',
      outputs: { ok: false },
    })) as PipelineRun;
    after = (await call('mutation', 'skipSteps', {
      runId: run.id,
      steps: [{ stepId: 'c', reason: 'when false' }],
    })) as PipelineRun;
    expect(after.status).toBe('succeeded');
    expect(step(after, 'c')?.status).toBe('skipped');

    // The second run is served from the cache for a; --no-cache runs it again.
    const second = (await call('mutation', 'run', {
      name: 'p-test',
      parameters: { n: 3 },
    })) as PipelineRun;
    const hit = (await call('mutation', 'claimStep', {
      runId: second.id,
      stepId: 'a',
      inputs: { n: 3 },
      cacheKey: key('a'),
    })) as { action: string; step: { outputs: unknown; cached: boolean } };
    expect(hit).toMatchObject({ action: 'cached', step: { outputs: { x: 1 }, cached: true } });
    expect(await queue.getJob(pipelineStepJobId(second.id, 'b'))).toBeTruthy();
    const fresh = (await call('mutation', 'run', { name: 'p-test', noCache: true })) as PipelineRun;
    const miss = (await call('mutation', 'claimStep', {
      runId: fresh.id,
      stepId: 'a',
      inputs: { n: 1 },
      cacheKey: key('a'),
    })) as { action: string };
    expect(miss.action).toBe('run');
  });

  it('fails the run on a final failure, retries otherwise, and cancels', async () => {
    const run = (await call('mutation', 'run', { name: 'p-test' })) as PipelineRun;
    await call('mutation', 'claimStep', { runId: run.id, stepId: 'a', inputs: {}, cacheKey: null });
    let after = (await call('mutation', 'failStep', {
      runId: run.id,
      stepId: 'a',
      error: 'flaky',
      final: false,
    })) as PipelineRun;
    expect(step(after, 'a')).toMatchObject({ status: 'queued', error: 'flaky' });
    await call('mutation', 'claimStep', { runId: run.id, stepId: 'a', inputs: {}, cacheKey: null });
    after = (await call('mutation', 'failStep', {
      runId: run.id,
      stepId: 'a',
      error: 'broken',
      final: true,
    })) as PipelineRun;
    expect(after).toMatchObject({ status: 'failed', error: 'step a failed: broken' });
    expect(after.steps.map((s) => s.status)).toEqual(['failed', 'cancelled', 'cancelled']);
    expect(step(after, 'a')?.attempts).toBe(2);

    const other = (await call('mutation', 'run', { name: 'p-test' })) as PipelineRun;
    const cancelled = (await call('mutation', 'cancel', {
      id: other.id,
      reason: 'test',
    })) as PipelineRun;
    expect(cancelled.status).toBe('cancelled');
    expect(await queue.getJob(pipelineStepJobId(other.id, 'a'))).toBeUndefined();
    const claim = (await call('mutation', 'claimStep', {
      runId: other.id,
      stepId: 'a',
      inputs: {},
      cacheKey: null,
    })) as { action: string };
    expect(claim.action).toBe('done');
    const twice = await trpc(r.app, 'mutation', 'pipelines.cancel', { id: other.id }, r.auth);
    expect(twice.status).toBe(409);
  });

  it('starts one run per trigger key', async () => {
    const trigger = { kind: 'drift', key: 'drift:p-test:1' };
    const one = (await call('mutation', 'run', { name: 'p-test', trigger })) as PipelineRun;
    const two = (await call('mutation', 'run', { name: 'p-test', trigger })) as PipelineRun;
    expect(two.id).toBe(one.id);
    const runs = (await call('query', 'runs', { pipeline: 'p-test', limit: 50 })) as PipelineRun[];
    expect(runs.filter((x) => x.trigger.key === trigger.key)).toHaveLength(1);
  });
});
