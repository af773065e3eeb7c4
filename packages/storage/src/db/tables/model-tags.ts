import type { Selectable } from 'kysely';

/** Key/value tags (added by 0104); `version` 0 tags the registered model itself. */
export interface ModelTagsTable {
  model: string;
  version: number;
  key: string;
  value: string;
}
export type ModelTagRow = Selectable<ModelTagsTable>;
