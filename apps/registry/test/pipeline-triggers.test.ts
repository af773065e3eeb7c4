import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QUEUE_NAMES,
  redisKeys,
  type PipelineRun,
  type PipelineScheduleInfo,
  type TokenScope,
} from '@mlops/contracts';
import { runScheduleTick } from '../src/domain/pipelines/triggers';
import { IRIS_CSV, REDIS_URL, startTestRegistry, trpc, type TestRegistry } from './helpers';

// The `on` section: schedules ticking on BullMQ job schedulers the registry consumes, and
// dataset triggers fired by uploads. Real registries (two replicas of one), real Redis.
let r: TestRegistry;
let replica: TestRegistry;
let ticks: Queue;

beforeAll(async () => {
  r = await startTestRegistry();
  replica = await startTestRegistry({ replicaOf: r });
  ticks = new Queue(QUEUE_NAMES.pipelineSchedule, {
    connection: { url: REDIS_URL },
    prefix: redisKeys(r.prefix).bullPrefix,
  });
});
afterAll(async () => {
  await ticks.close();
  await replica.close();
  await r.close();
});

const noop = [{ id: 'a', uses: 'custom/noop', with: { n: '${{ params.n }}' } }];
const params = { n: { type: 'integer', default: 1 } };

async function register(on: TestRegistry, definition: unknown, auth = r.auth) {
  return trpc(on.app, 'mutation', 'pipelines.register', { definition }, auth);
}
async function call<T>(kind: 'query' | 'mutation', name: string, input: unknown): Promise<T> {
  const res = await trpc(r.app, kind, name, input, r.auth);
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.error?.message}`);
  return res.data as T;
}
const runsOf = (pipeline: string) =>
  call<PipelineRun[]>('query', 'pipelines.runs', { pipeline, limit: 500 });

/** Polls `check` until it answers a value (bounded: fails the test instead of hanging). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function upload(name: string, body: string, query = '') {
  return r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}${query}`,
    payload: body,
    headers: { ...r.auth, 'content-type': 'text/csv' },
  });
}

describe('pipeline triggers', () => {
  it('refuses bad triggers with 400 naming the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ schedule: [{ cron: '61 * * * *' }] }, 'on.schedule[0].cron', /minute field: must be 0-59/],
      [{ schedule: [{ cron: '* * *' }] }, 'on.schedule[0].cron', /5 fields/],
      [{ schedule: [{ cron: '* * * * *', every: 5000 }] }, 'on.schedule[0].cron', /exactly one/],
      [{ schedule: [{ every: 10 }] }, 'on.schedule[0].every', /1000/],
      [
        { schedule: [{ cron: '0 3 * * *', timezone: 'Mars/Olympus' }] },
        'on.schedule[0].timezone',
        /IANA/,
      ],
      [
        { schedule: [{ every: 5000, params: { nope: 1 } }] },
        'on.schedule[0].params.nope',
        /unknown parameter/,
      ],
      [{ dataset: [{ name: 'Not A Name!' }] }, 'on.dataset[0].name', /./],
      [{ dataset: [{ name: 'iris', versionParam: 'n2' }] }, 'on.dataset[0].versionParam', /n2/],
      [{ nightly: true }, 'on.nightly', /unknown key/],
    ];
    for (const [on, field, message] of cases) {
      const res = await register(r, { name: 'bad-on', parameters: params, steps: noop, on });
      expect(res.status, field).toBe(400);
      const detail = res.error?.data.details?.find((d) => d.path === `definition.${field}`);
      expect(detail, `${field}: ${JSON.stringify(res.error?.data.details)}`).toBeDefined();
      expect(detail!.message).toMatch(message);
    }
  });

  it('lets only a token that may start the runs declare triggers', async () => {
    const token = async (scopes: TokenScope[]) => {
      const res = await trpc(r.app, 'mutation', 'tokens.create', { name: 'w', scopes }, r.auth);
      return { authorization: `Bearer ${(res.data as { token: string }).token}` };
    };
    const writer = await token(['write']);
    const plain = { name: 'scoped', parameters: params, steps: noop };
    expect((await register(r, plain, writer)).status).toBe(200);
    const triggered = { ...plain, on: { dataset: [{ name: 'iris' }] } };
    const refused = await register(r, triggered, writer);
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/"train" scope/);
    const trainer = await token(['write', 'train']);
    expect((await register(r, triggered, trainer)).status).toBe(200);
    const deploying = {
      ...triggered,
      steps: [...noop, { id: 'd', uses: 'set-alias', with: {}, dependsOn: ['a'] }],
    };
    expect((await register(r, deploying, trainer)).status).toBe(403);
  });

  it('starts one run per schedule tick across two replicas; dropping it removes it', async () => {
    const def = {
      name: 'ticking',
      parameters: params,
      steps: noop,
      // Every second, on the second (a cron with seconds: ticks fall on whole seconds).
      on: { schedule: [{ cron: '* * * * * *', params: { n: 7 } }] },
    };
    // Both replicas register (each upserts the same scheduler) and both consume ticks.
    expect((await register(r, def)).status).toBe(200);
    expect((await register(replica, def)).status).toBe(200);

    const listed = await call<PipelineScheduleInfo[]>('query', 'pipelines.schedules', {
      pipeline: 'ticking',
    });
    expect(listed).toEqual([
      expect.objectContaining({ pipeline: 'ticking', version: 1, index: 0, cron: '* * * * * *' }),
    ]);
    expect(listed[0]!.next).not.toBeNull();
    const rest = await r.app.inject({
      method: 'GET',
      url: '/api/v1/pipeline-schedules?pipeline=ticking',
      headers: r.auth,
    });
    expect(rest.statusCode).toBe(200);
    expect(rest.json()).toEqual([expect.objectContaining({ pipeline: 'ticking', index: 0 })]);

    const runs = await waitFor('three scheduled runs', async () => {
      const all = await runsOf('ticking');
      return all.length >= 3 ? all : undefined;
    });
    for (const run of runs) {
      expect(run.trigger.kind).toBe('schedule');
      expect(run.parameters).toEqual({ n: 7 });
    }
    // One run per tick: every key names a distinct tick, each one the scheduler's own.
    const tickTimes = runs.map((run) => {
      const m = /^schedule:ticking:0:(.+)$/.exec(run.trigger.key ?? '');
      expect(m, run.trigger.key).not.toBeNull();
      return Date.parse(m![1]!);
    });
    expect(new Set(tickTimes).size).toBe(tickTimes.length);
    for (const t of tickTimes) expect(t % 1000).toBe(0);
    // The same tick delivered again, to the other replica: it answers the run already started.
    const again = await runScheduleTick(
      replica.deps,
      { pipeline: 'ticking', index: 0 },
      tickTimes[0]!,
    );
    expect(again).toBe(runs[0]!.id);
    expect(
      (await runsOf('ticking')).filter((x) => x.trigger.key === runs[0]!.trigger.key),
    ).toHaveLength(1);
    const schedulers = await ticks.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key)).toEqual(['ticking.0']);

    // A version without the schedule: the scheduler and its next tick are gone.
    expect((await register(replica, { ...def, on: undefined })).status).toBe(200);
    expect(await ticks.getJobSchedulers(0, -1)).toEqual([]);
    const pending = await ticks.getJobs(['delayed', 'waiting']);
    expect(pending.filter((j) => j.id?.startsWith('repeat:ticking.0:'))).toEqual([]);
    expect(await call('query', 'pipelines.schedules', {})).toEqual([]);
  });

  it('starts each pipeline that declares a dataset once per new version, never its producer', async () => {
    const onIris = {
      name: 'on-iris',
      parameters: { ...params, irisVersion: { type: 'integer' } },
      steps: noop,
      on: { dataset: [{ name: 'iris-t', versionParam: 'irisVersion', params: { n: 2 } }] },
    };
    const alsoOnIris = { name: 'also-on-iris', parameters: params, steps: noop, on: onIris.on };
    alsoOnIris.on = { dataset: [{ name: 'iris-t', params: { n: 3 } }] } as typeof onIris.on;
    const elsewhere = { name: 'on-other', parameters: params, steps: noop };
    for (const d of [onIris, alsoOnIris, elsewhere])
      expect((await register(r, d)).status).toBe(200);

    // The upload answers once the triggers started their runs: no wait needed.
    expect((await upload('iris-t', IRIS_CSV)).statusCode).toBe(201);
    const [run] = await runsOf('on-iris');
    expect(await runsOf('on-iris')).toHaveLength(1);
    expect(run).toMatchObject({
      parameters: { n: 2, irisVersion: 1 },
      trigger: { kind: 'dataset', key: 'dataset:iris-t:1:on-iris', detail: 'iris-t v1' },
    });
    expect(await runsOf('also-on-iris')).toHaveLength(1);
    expect(await runsOf('on-other')).toHaveLength(0);

    // The same content again is no new version: nothing starts.
    expect((await upload('iris-t', IRIS_CSV)).statusCode).toBe(200);
    expect(await runsOf('on-iris')).toHaveLength(1);

    // Version 2 uploaded by a running step of on-iris (as its ingest step would): on-iris is not
    // started again (it would loop), the other pipeline on the dataset is.
    const v2 = IRIS_CSV + '7.0,3.1,virginica,true\n';
    const claim = { runId: run!.id, stepId: 'a', inputs: {}, cacheKey: null };
    expect((await trpc(r.app, 'mutation', 'pipelines.claimStep', claim, r.auth)).status).toBe(200);
    const by = `?pipelineRunId=${run!.id}&pipelineStepId=a`;
    expect((await upload('iris-t', v2, by)).statusCode).toBe(201);
    expect(await runsOf('on-iris')).toHaveLength(1);
    const also = await runsOf('also-on-iris');
    expect(also.map((x) => x.trigger.key).sort()).toEqual([
      'dataset:iris-t:1:also-on-iris',
      'dataset:iris-t:2:also-on-iris',
    ]);

    // Version 3 by anyone else starts it again, with the new version as its parameter.
    expect((await upload('iris-t', v2 + '7.1,3.2,virginica,true\n')).statusCode).toBe(201);
    const latest = await runsOf('on-iris');
    expect(latest).toHaveLength(2);
    expect(latest[0]!.parameters).toEqual({ n: 2, irisVersion: 3 });
  });
});
