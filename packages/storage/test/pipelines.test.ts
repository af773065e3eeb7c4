import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelineText, type JsonValue } from '@mlops/contracts';
import {
  cacheEntryHits,
  countCachedStepHit,
  dropCachedStepsNaming,
  findPipelineRunByTrigger,
  getPipeline,
  getPipelineRun,
  insertPipelineRun,
  listPipelineRuns,
  peekCachedStep,
  putCachedStep,
  updatePipelineStep,
  upsertPipeline,
} from '../src';
import { openTestDb, type DbKind, type TestDb } from './backends';

// Migration 0107 on both databases: Postgres is on 127.0.0.1 in every environment we test in.
const def = parsePipelineText(`
name: p1
steps:
  - { id: a, uses: custom/noop }
  - { id: b, uses: custom/noop, dependsOn: [a] }
`);
const now = '2026-01-01T00:00:00.000Z';

describe.each<DbKind>(['sqlite', 'postgres'])('pipelines on %s (0107)', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('versions a definition only when its content changes', async () => {
    const v1 = await upsertPipeline(t.db, def, now);
    expect(v1.version).toBe(1);
    expect((await upsertPipeline(t.db, def, now)).version).toBe(1);
    const changed = { ...def, description: 'changed' };
    expect((await upsertPipeline(t.db, changed, now)).version).toBe(2);
    expect((await getPipeline(t.db, 'p1'))?.definition.description).toBe('changed');
  });

  it('stores a run with its steps, updates a step only from the statuses named', async () => {
    await insertPipelineRun(t.db, {
      id: 'prun-00000001',
      definition: def,
      pipelineVersion: 1,
      parameters: {},
      trigger: { kind: 'drift', key: 'drift:p1:1' },
      noCache: false,
      createdBy: 'test',
      createdAt: now,
    });
    expect(await findPipelineRunByTrigger(t.db, 'drift:p1:1')).toBe('prun-00000001');
    expect(
      await updatePipelineStep(t.db, 'prun-00000001', 'a', { status: 'running' }, ['queued']),
    ).toBe(true);
    expect(
      await updatePipelineStep(t.db, 'prun-00000001', 'a', { status: 'running' }, ['queued']),
    ).toBe(false);
    await updatePipelineStep(t.db, 'prun-00000001', 'a', {
      status: 'succeeded',
      outputs_json: '{"n":1}',
      started_at: now,
      finished_at: '2026-01-01T00:00:01.500Z',
    });
    const rec = await getPipelineRun(t.db, 'prun-00000001');
    expect(rec?.run.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'queued'],
    ]);
    expect(rec?.run.steps[0]?.durationMs).toBe(1500);
    expect(rec?.run.trigger).toEqual({ kind: 'drift', key: 'drift:p1:1' });
    expect((await listPipelineRuns(t.db, { pipeline: 'p1', limit: 10 }))[0]?.steps).toHaveLength(2);
  });

  it('keeps the first outputs of a cache key and counts hits', async () => {
    const key = 'c'.repeat(64);
    expect(await peekCachedStep(t.db, key)).toBeUndefined();
    await putCachedStep(
      t.db,
      { key, uses: 'train', outputs: { version: 1 }, runId: 'r', stepId: 's' },
      now,
    );
    await putCachedStep(
      t.db,
      { key, uses: 'train', outputs: { version: 2 }, runId: 'r', stepId: 's' },
      now,
    );
    expect(await peekCachedStep(t.db, key)).toEqual({ uses: 'train', outputs: { version: 1 } });
    expect(await cacheEntryHits(t.db, key)).toBe(0);
    await countCachedStepHit(t.db, key, now);
    expect(await cacheEntryHits(t.db, key)).toBe(1);
  });

  it('drops exactly the cache entries of the given step kinds naming an artifact version', async () => {
    const put = (key: string, uses: string, outputs: Record<string, JsonValue>) =>
      putCachedStep(t.db, { key, uses, outputs, runId: 'r', stepId: 's' }, now);
    await put('n1', 'train', { model: 'a%_b', version: 3, runId: 'x' });
    await put('n2', 'evaluate', { model: 'a%_b', version: 3 });
    await put('k1', 'train', { model: 'a%_b', version: 4 }); // another version
    await put('k2', 'train', { model: 'a%_bc', version: 3 }); // a longer name
    await put('k3', 'train', { model: 'aX_b', version: 3 }); // LIKE would match it
    await put('k4', 'train', { model: 'a%_b', version: '3' }); // a string, not the version
    await put('k5', 'custom/echo', { model: 'a%_b', version: 3 }); // not an artifact step
    await put('k6', 'ingest', { dataset: 'a%_b', version: 3 }); // a dataset, not a model
    const named = { field: 'model', name: 'a%_b', version: 3 } as const;
    expect(await dropCachedStepsNaming(t.db, named, ['train', 'evaluate', 'ingest'])).toBe(2);
    for (const key of ['n1', 'n2']) expect(await peekCachedStep(t.db, key)).toBeUndefined();
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'])
      expect(await peekCachedStep(t.db, key)).toBeDefined();
    expect(await dropCachedStepsNaming(t.db, named, [])).toBe(0);
    const dataset = { field: 'dataset', name: 'a%_b', version: 3 } as const;
    expect(await dropCachedStepsNaming(t.db, dataset, ['ingest'])).toBe(1);
    expect(await peekCachedStep(t.db, 'k6')).toBeUndefined();
  });
});
