import type { Insertable, Selectable } from 'kysely';

/** One immutable dataset version. JSON columns are text so Postgres can share the migrations. */
export interface DatasetsTable {
  id: string;
  name: string;
  version: number;
  hash: string;
  format: string;
  row_count: number;
  size_bytes: number;
  schema_json: string;
  profile_json: string;
  blob_sha256: string;
  created_at: string;
  /** Added by 0105: the anomalies found at ingest (null: never checked). */
  validation_json?: string | null;
}

/** Added by 0105: when training on a dataset's versions is refused (see contracts). */
export interface DatasetPoliciesTable {
  name: string;
  block_training: string;
  updated_by: string;
  updated_at: string;
}
export type DatasetRow = Selectable<DatasetsTable>;
export type NewDatasetRow = Insertable<DatasetsTable>;
