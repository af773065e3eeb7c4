import type { Selectable } from 'kysely';

/** `latest_version` is the per-model counter that numbers versions (see repos/versions). */
export interface ModelsTable {
  name: string;
  description: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}
export type ModelRow = Selectable<ModelsTable>;
