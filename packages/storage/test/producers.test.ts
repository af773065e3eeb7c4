import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasMovesOf, producedByPipelineRun, producersOf, recordProducer, setAlias } from '../src';
import { openTestDb, type DbKind, type TestDb } from './backends';

// Migration 0108 on both databases: who produced an artifact, first record wins.
const now = '2026-01-01T00:00:00.000Z';

describe.each<DbKind>(['sqlite', 'postgres'])('artifact producers on %s (0108)', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the first producer of an artifact and lists what a pipeline run produced', async () => {
    const p = { pipelineRunId: 'prun-000001', stepId: 'ingest', recordedAt: now };
    await recordProducer(t.db, { kind: 'dataset-version', ref: 'ds-1', ...p });
    await recordProducer(t.db, {
      kind: 'dataset-version',
      ref: 'ds-1',
      ...p,
      pipelineRunId: 'prun-000002',
    });
    await recordProducer(t.db, { kind: 'training-run', ref: 'ds-1', ...p, stepId: 'train' });
    const found = await producersOf(t.db, 'dataset-version', ['ds-1', 'ds-2']);
    expect([...found.keys()]).toEqual(['ds-1']);
    expect(found.get('ds-1')?.pipelineRunId).toBe('prun-000001');
    const made = await producedByPipelineRun(t.db, 'prun-000001', 10);
    expect(made.map((m) => `${m.kind}:${m.ref}:${m.stepId}`).sort()).toEqual([
      'dataset-version:ds-1:ingest',
      'training-run:ds-1:train',
    ]);
    expect(await producedByPipelineRun(t.db, 'prun-000002', 10)).toEqual([]);
  });

  it('records an alias move with its producer in the same write', async () => {
    const producedBy = { pipelineRunId: 'prun-000003', stepId: 'deploy' };
    await setAlias(t.db, { model: 'm', alias: 'champion', version: 1, actor: 'a', now });
    await setAlias(t.db, {
      model: 'm',
      alias: 'champion',
      version: 2,
      actor: 'a',
      now,
      producedBy,
    });
    const moves = await aliasMovesOf(t.db, 'm', 2, 10);
    expect(moves.map((m) => [m.from, m.to])).toEqual([[1, 2]]);
    const byMove = await producersOf(t.db, 'alias-move', [String(moves[0]?.id)]);
    expect(byMove.get(String(moves[0]?.id))?.stepId).toBe('deploy');
    expect((await aliasMovesOf(t.db, 'm', 1, 10)).map((m) => [m.from, m.to])).toEqual([
      [null, 1],
      [1, 2],
    ]);
  });
});
