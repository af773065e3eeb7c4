import type { Insertable, Selectable, Updateable } from 'kysely';

export interface RunsTable {
  id: string;
  model_name: string;
  spec_json: string;
  dataset_id: string;
  dataset_hash: string;
  status: string;
  progress_json: string | null;
  metrics_json: string;
  backend: string | null;
  error: string | null;
  model_version: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Added by 0101_sweeps; nullable so older rows need no backfill. */
  parent_run_id?: string | null;
  /** Added by 0105: rows trained on / dropped, and the loss of every epoch (JSON). */
  rows_json?: string | null;
  curve_json?: string | null;
}
export type RunRow = Selectable<RunsTable>;
export type NewRunRow = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
