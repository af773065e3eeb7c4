import type { Selectable } from 'kysely';

/** The latest definition of each pipeline (0106). */
export interface PipelinesTable {
  name: string;
  version: number;
  sha256: string;
  definition_json: string;
  created_at: string;
  updated_at: string;
}

export interface PipelineRunsTable {
  id: string;
  pipeline: string;
  pipeline_version: number;
  /** queued → running → succeeded | failed | cancelled */
  status: string;
  /** The definition the run started with. */
  definition_json: string;
  parameters_json: string;
  trigger_kind: string;
  trigger_detail: string | null;
  trigger_key: string | null;
  no_cache: number;
  error: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}
export type PipelineRunRow = Selectable<PipelineRunsTable>;

export interface PipelineStepsTable {
  run_id: string;
  step_id: string;
  /** Index in the definition, for ordering. */
  position: number;
  uses: string;
  status: string;
  cached: number;
  cache_key: string | null;
  inputs_json: string | null;
  outputs_json: string | null;
  state_json: string | null;
  attempts: number;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}
export type PipelineStepRow = Selectable<PipelineStepsTable>;

export interface PipelineStepCacheTable {
  cache_key: string;
  uses: string;
  outputs_json: string;
  /** The step run that produced the outputs. */
  run_id: string;
  step_id: string;
  created_at: string;
  hits: number;
  last_hit_at: string | null;
}
