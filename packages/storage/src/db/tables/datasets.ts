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
}
export type DatasetRow = Selectable<DatasetsTable>;
export type NewDatasetRow = Insertable<DatasetsTable>;
