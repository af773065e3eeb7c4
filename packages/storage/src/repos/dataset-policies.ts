import { datasetPolicySchema, type DatasetPolicy } from '@mlops/contracts';
import type { Db } from '../db/connection';

/** One training policy per dataset name (see contracts `datasetPolicySchema`). */
export async function upsertDatasetPolicy(db: Db, policy: DatasetPolicy): Promise<DatasetPolicy> {
  const values = {
    block_training: policy.blockTrainingOnAnomalies,
    updated_by: policy.updatedBy,
    updated_at: policy.updatedAt,
  };
  const row = await db
    .insertInto('dataset_policies')
    .values({ name: policy.name, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPolicy(row);
}

export async function getDatasetPolicy(db: Db, name: string): Promise<DatasetPolicy | undefined> {
  const row = await db
    .selectFrom('dataset_policies')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toPolicy(row) : undefined;
}

function toPolicy(row: {
  name: string;
  block_training: string;
  updated_by: string;
  updated_at: string;
}): DatasetPolicy {
  return datasetPolicySchema.parse({
    name: row.name,
    blockTrainingOnAnomalies: row.block_training,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  });
}
