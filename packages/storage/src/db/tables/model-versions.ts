import type { Generated, Selectable } from 'kysely';

export interface ModelVersionsTable {
  model: string;
  version: number;
  /** Unique when not null: a run registers at most one version. */
  run_id: string | null;
  manifest_json: string;
  created_at: string;
  /** JSON SignatureCompatibility against the champion at registration time (null: none). */
  compat_json: Generated<string | null>;
  /** JSON PlatformMetrics (added by 0102): what the platform measured, apart from the manifest. */
  platform_metrics_json: Generated<string | null>;
  /** Free text (added by 0104), null until set: the MLflow API's version description. */
  description: Generated<string | null>;
  /** JSON VersionModelTests (added by 0106): the platform's model tests, null until run. */
  model_tests_json: Generated<string | null>;
}
export type ModelVersionRow = Selectable<ModelVersionsTable>;
