import { storedPromotionPolicySchema, type PromotionPolicy } from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { PromotionPolicyRow } from '../db/tables/governance';

export async function upsertPolicy(db: Db, policy: PromotionPolicy): Promise<PromotionPolicy> {
  const values = {
    metric: policy.metric,
    greater_is_better: policy.greaterIsBetter ? 1 : 0,
    threshold: policy.threshold,
    min_absolute_change: policy.minAbsoluteChange,
    min_relative_change: policy.minRelativeChange,
    require_platform_metrics: policy.requirePlatformMetrics ? 1 : 0,
    evaluation_dataset_name: policy.evaluationDataset?.name ?? null,
    evaluation_dataset_version: policy.evaluationDataset?.version ?? null,
    require_model_tests: policy.requireModelTests ? 1 : 0,
    min_baseline_lift: policy.minBaselineLift,
    updated_by: policy.updatedBy,
    updated_at: policy.updatedAt,
  };
  const row = await db
    .insertInto('promotion_policies')
    .values({ model: policy.model, alias: policy.alias, ...values })
    .onConflict((oc) => oc.columns(['model', 'alias']).doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPolicy(row);
}

export async function getPolicy(
  db: Db,
  model: string,
  alias: string,
): Promise<PromotionPolicy | undefined> {
  const row = await db
    .selectFrom('promotion_policies')
    .selectAll()
    .where('model', '=', model)
    .where('alias', '=', alias)
    .executeTakeFirst();
  return row ? toPolicy(row) : undefined;
}

export async function deletePolicy(db: Db, model: string, alias: string): Promise<boolean> {
  const res = await db
    .deleteFrom('promotion_policies')
    .where('model', '=', model)
    .where('alias', '=', alias)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

function toPolicy(row: PromotionPolicyRow): PromotionPolicy {
  return storedPromotionPolicySchema.parse({
    model: row.model,
    alias: row.alias,
    metric: row.metric,
    greaterIsBetter: Number(row.greater_is_better) === 1,
    threshold: row.threshold === null ? null : Number(row.threshold),
    minAbsoluteChange: row.min_absolute_change === null ? null : Number(row.min_absolute_change),
    minRelativeChange: row.min_relative_change === null ? null : Number(row.min_relative_change),
    requirePlatformMetrics: Number(row.require_platform_metrics) === 1,
    evaluationDataset:
      row.evaluation_dataset_name === null || row.evaluation_dataset_version === null
        ? null
        : { name: row.evaluation_dataset_name, version: Number(row.evaluation_dataset_version) },
    requireModelTests: Number(row.require_model_tests) === 1,
    minBaselineLift: row.min_baseline_lift === null ? null : Number(row.min_baseline_lift),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  });
}
