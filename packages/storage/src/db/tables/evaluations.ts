import type { Selectable } from 'kysely';

/** Re-evaluations of model versions on a dataset version (0102); run by the trainer. */
export interface VersionEvaluationsTable {
  id: string;
  model: string;
  version: number;
  dataset_id: string;
  dataset_name: string;
  dataset_version: number;
  /** queued → running → completed | failed */
  status: string;
  metrics_json: string;
  rows: number | null;
  error: string | null;
  requested_by: string;
  /** The `train` principal that reported the metrics. */
  completed_by: string | null;
  created_at: string;
  finished_at: string | null;
}
export type VersionEvaluationRow = Selectable<VersionEvaluationsTable>;
