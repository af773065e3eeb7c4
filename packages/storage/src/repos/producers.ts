import type { Db } from '../db/connection';
import type { ArtifactProducerRow } from '../db/tables/producers';

/** What 0108 records a producer for; `ref` is the artifact's key in its own table. */
export type ProducedKind = 'dataset-version' | 'training-run' | 'model-version' | 'alias-move';

export interface ArtifactProducer {
  kind: ProducedKind;
  ref: string;
  pipelineRunId: string;
  stepId: string;
  recordedAt: string;
}

/**
 * Record who produced an artifact. The first record wins: an artifact is produced once, and a
 * later step that merely finds it (the same bytes ingested again) did not produce it.
 */
export async function recordProducer(db: Db, p: ArtifactProducer): Promise<void> {
  await db
    .insertInto('artifact_producers')
    .values({
      kind: p.kind,
      ref: p.ref,
      pipeline_run_id: p.pipelineRunId,
      step_id: p.stepId,
      recorded_at: p.recordedAt,
    })
    .onConflict((oc) => oc.columns(['kind', 'ref']).doNothing())
    .execute();
}

/** The producers of some artifacts of one kind, by ref. */
export async function producersOf(
  db: Db,
  kind: ProducedKind,
  refs: string[],
): Promise<Map<string, ArtifactProducer>> {
  const out = new Map<string, ArtifactProducer>();
  if (refs.length === 0) return out;
  const rows = await db
    .selectFrom('artifact_producers')
    .selectAll()
    .where('kind', '=', kind)
    .where('ref', 'in', refs)
    .execute();
  for (const row of rows) out.set(row.ref, toProducer(row));
  return out;
}

/** Everything a pipeline run's steps produced, in recording order. */
export async function producedByPipelineRun(
  db: Db,
  pipelineRunId: string,
  limit: number,
): Promise<ArtifactProducer[]> {
  const rows = await db
    .selectFrom('artifact_producers')
    .selectAll()
    .where('pipeline_run_id', '=', pipelineRunId)
    .orderBy('recorded_at')
    .orderBy('kind')
    .orderBy('ref')
    .limit(limit)
    .execute();
  return rows.map(toProducer);
}

function toProducer(row: ArtifactProducerRow): ArtifactProducer {
  return {
    kind: row.kind as ProducedKind,
    ref: row.ref,
    pipelineRunId: row.pipeline_run_id,
    stepId: row.step_id,
    recordedAt: row.recorded_at,
  };
}
