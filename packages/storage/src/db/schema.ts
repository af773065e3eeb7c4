import type { DatasetPoliciesTable, DatasetsTable } from './tables/datasets';
import type { RunsTable } from './tables/runs';
import type {
  PipelineRunsTable,
  PipelinesTable,
  PipelineStepCacheTable,
  PipelineStepsTable,
} from './tables/pipelines';
import type { ModelsTable } from './tables/models';
import type { ArtifactProducersTable } from './tables/producers';
import type { ModelVersionsTable } from './tables/model-versions';
import type { ModelTagsTable } from './tables/model-tags';
import type { AliasesTable, AliasHistoryTable } from './tables/aliases';
import type { EventsTable } from './tables/events';
import type { VersionEvaluationsTable } from './tables/evaluations';
import type {
  ApiTokensTable,
  PromotionPoliciesTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from './tables/governance';

/** The whole database as Kysely sees it. */
export interface Database {
  datasets: DatasetsTable;
  dataset_policies: DatasetPoliciesTable;
  runs: RunsTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  aliases: AliasesTable;
  alias_history: AliasHistoryTable;
  events: EventsTable;
  api_tokens: ApiTokensTable;
  promotion_policies: PromotionPoliciesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  version_evaluations: VersionEvaluationsTable;
  model_tags: ModelTagsTable;
  pipelines: PipelinesTable;
  pipeline_runs: PipelineRunsTable;
  pipeline_steps: PipelineStepsTable;
  pipeline_step_cache: PipelineStepCacheTable;
  artifact_producers: ArtifactProducersTable;
}
