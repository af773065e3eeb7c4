import type { Selectable } from 'kysely';

/** Added by 0108: the pipeline step run that produced an artifact (see the migration). */
export interface ArtifactProducersTable {
  kind: string;
  ref: string;
  pipeline_run_id: string;
  step_id: string;
  recorded_at: string;
}
export type ArtifactProducerRow = Selectable<ArtifactProducersTable>;
