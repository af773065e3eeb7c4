import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineageGraph, PipelineRun, Run } from '@mlops/contracts';
import { errorOf, IRIS_CSV, trpc } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';
import type { TestRegistry } from './helpers';

// Produced-by records and the lineage read on the real registry and database (SQLite; Postgres
// under MLOPS_TEST_INFRA=1). The registry test plays the pipeline worker and the trainer through
// their own procedures (claimStep, runs.start/complete, versions.create); the trainer's
// lineage.integration.test.ts runs the same chain with the real worker.
let r: TestRegistry;
let file: { sha256: string; size: number };
let prun: PipelineRun;

const definition = {
  name: 'lin',
  steps: [
    { id: 'ingest', uses: 'ingest', with: {} },
    { id: 'train', uses: 'train', with: {} },
    { id: 'deploy', uses: 'set-alias', with: {} },
  ],
};
const SPEC = {
  modelName: 'lin-model',
  dataset: { name: 'iris', version: 2 },
  task: 'classification',
  target: 'species',
};

async function ok<T>(kind: 'query' | 'mutation', name: string, input: unknown): Promise<T> {
  const res = await trpc(r.app, kind, name, input, r.auth);
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.error?.message}`);
  return res.data as T;
}
const upload = (csv: string, query: string) =>
  r.app.inject({
    method: 'POST',
    url: `/api/datasets/iris${query}`,
    payload: csv,
    headers: { ...r.auth, 'content-type': 'text/csv' },
  });
const node = (g: LineageGraph, id: string) => g.nodes.find((n) => n.id === id);
const by = (stepId: string) => ({ pipelineRunId: prun.id, stepId });

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
  await ok('mutation', 'pipelines.register', { definition });
  prun = await ok<PipelineRun>('mutation', 'pipelines.run', { name: 'lin' });
});
afterAll(async () => {
  await r?.close();
});

describe('produced-by records', () => {
  it('refuses a producer that is not a running step of the right kind, naming the field', async () => {
    const create = (producedBy: unknown) =>
      trpc(r.app, 'mutation', 'runs.create', { ...SPEC, producedBy }, r.auth);
    const queued = await create(by('train'));
    expect(queued.status).toBe(400);
    expect(queued.error?.data.details?.[0]?.path).toBe('producedBy.stepId');
    expect(queued.error?.message).toMatch(/is queued, not running/);
    const unknown = await create({ pipelineRunId: 'nosuchrun0001', stepId: 'train' });
    expect(unknown.status).toBe(400);
    expect(unknown.error?.data.details?.[0]?.path).toBe('producedBy.pipelineRunId');
    const malformed = await create({ pipelineRunId: prun.id, stepId: 'Bad Step' });
    expect(malformed.status).toBe(400);
    expect(malformed.error?.data.details?.[0]?.path).toBe('producedBy.stepId');

    const half = await upload(IRIS_CSV, `?pipelineRunId=${prun.id}`);
    expect(half.statusCode).toBe(400);
    expect(errorOf(half).details?.[0]?.path).toBe('query.pipelineStepId');
    const notRunning = await upload(IRIS_CSV, `?pipelineRunId=${prun.id}&pipelineStepId=ingest`);
    expect(notRunning.statusCode).toBe(400);
    expect(errorOf(notRunning).details?.[0]?.path).toBe('query.pipelineStepId');

    for (const stepId of ['ingest', 'train', 'deploy']) {
      await ok('mutation', 'pipelines.claimStep', {
        runId: prun.id,
        stepId,
        inputs: {},
        cacheKey: null,
      });
    }
    // Running now, but an ingest step does not train.
    const wrongKind = await create(by('ingest'));
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.error?.message).toMatch(/ingest step: it does not make a training-run/);
  });

  it('walks a model version back to its dataset and the steps, and forward to its aliases', async () => {
    const q = `?pipelineRunId=${prun.id}&pipelineStepId=ingest`;
    const again = await upload(IRIS_CSV, q);
    expect(again.statusCode).toBe(200); // the same bytes as v1: found, not produced
    const v2 = await upload(IRIS_CSV + '7.0,3.2,versicolor,true\n', q);
    expect(v2.statusCode).toBe(201);

    const run = await ok<Run>('mutation', 'runs.create', { ...SPEC, producedBy: by('train') });
    await ok('mutation', 'runs.start', { id: run.id, backend: 'cpu' });
    const m = manifestWith(file);
    const manifest = { ...m, lineage: { ...m.lineage, runId: run.id } };
    await ok('mutation', 'versions.create', { model: 'lin-model', manifest, runId: run.id });
    await ok('mutation', 'runs.complete', { id: run.id, metrics: { accuracy: 0.9 }, version: 1 });
    await ok('mutation', 'aliases.set', {
      model: 'lin-model',
      version: 1,
      alias: 'champion',
      producedBy: by('deploy'),
    });

    const g = await ok<LineageGraph>('query', 'lineage.get', { uri: 'models:/lin-model@champion' });
    expect(g.root).toBe('model-version:lin-model/1');
    expect(g.truncated).toBe(false);
    const edges = g.edges.map((e) => `${e.from} -${e.relation}-> ${e.to}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        `training-run:${run.id} -registered-> model-version:lin-model/1`,
        `dataset-version:iris@2 -trained-> training-run:${run.id}`,
        'model-version:lin-model/1 -alias-> alias:lin-model@champion',
        expect.stringMatching(/^model-version:lin-model\/1 -moved-to-> alias-move:\d+$/),
      ]),
    );
    const step = (id: string): unknown =>
      expect.objectContaining({ pipelineRunId: prun.id, stepId: id });
    expect(node(g, 'dataset-version:iris@2')?.producedBy).toEqual(step('ingest'));
    expect(node(g, `training-run:${run.id}`)?.producedBy).toEqual(step('train'));
    expect(node(g, 'model-version:lin-model/1')?.producedBy).toEqual(step('train'));
    expect(g.nodes.find((n) => n.kind === 'alias-move')?.producedBy).toEqual(
      expect.objectContaining({ stepId: 'deploy', pipeline: 'lin', uses: 'set-alias' }),
    );
    expect(node(g, 'alias:lin-model@champion')?.attrs.servedByDefault).toBe(true);

    // v1 was uploaded by hand, and finding its bytes again did not make the step its producer.
    const ds1 = await ok<LineageGraph>('query', 'lineage.get', { uri: 'iris@1' });
    expect(node(ds1, 'dataset-version:iris@1')?.producedBy).toBeNull();
    // Forward from the dataset version: the run it trained, the version, its alias.
    const ds2 = await ok<LineageGraph>('query', 'lineage.get', { uri: 'iris@2' });
    expect(ds2.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([`training-run:${run.id}`, 'alias:lin-model@champion']),
    );
    // A pipeline run id answers what its steps produced.
    const byRun = await ok<LineageGraph>('query', 'lineage.get', { uri: prun.id, depth: 1 });
    expect(byRun.root).toBe(`pipeline-run:${prun.id}`);
    expect(byRun.edges.filter((e) => e.relation === 'produced').map((e) => e.to)).toEqual(
      expect.arrayContaining([
        'dataset-version:iris@2',
        `training-run:${run.id}`,
        'model-version:lin-model/1',
      ]),
    );
    // depth 1 from the dataset reaches the run but not the version: truncated says so.
    const shallow = await ok<LineageGraph>('query', 'lineage.get', { uri: 'iris@2', depth: 1 });
    expect(shallow.truncated).toBe(true);
  });

  it('answers the same graph on REST, 400 naming uri for bad ones, 404 for unknown ones', async () => {
    const get = (qs: string, headers = r.auth) =>
      r.app.inject({ method: 'GET', url: `/api/v1/lineage?${qs}`, headers });
    const res = await get('uri=' + encodeURIComponent('models:/lin-model/1'));
    expect(res.statusCode).toBe(200);
    expect(res.json<LineageGraph>().root).toBe('model-version:lin-model/1');
    for (const bad of ['models:/lin-model/Production', 'iris@0', 'not a uri', 'Iris@2']) {
      const b = await get('uri=' + encodeURIComponent(bad));
      expect(b.statusCode, bad).toBe(400);
      expect(errorOf(b).details?.[0]?.path).toBe('uri');
    }
    const deep = await get('uri=iris%402&depth=99');
    expect(deep.statusCode).toBe(400);
    expect(errorOf(deep).details?.[0]?.path).toBe('depth');
    for (const unknown of [
      'models:/lin-model@nope',
      'models:/lin-model/9',
      'iris@9',
      'zzzzzzzzzz',
    ]) {
      expect((await get('uri=' + encodeURIComponent(unknown))).statusCode, unknown).toBe(404);
    }
    expect((await get('uri=iris%402', {} as typeof r.auth)).statusCode).toBe(401);
  });
});
