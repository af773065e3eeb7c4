import {
  AppError,
  blockingAnomalies,
  type DatasetPolicy,
  type DatasetProfile,
  type DatasetSchema,
  type DatasetValidation,
  type DatasetVersion,
} from '@mlops/contracts';
import { validateDataset } from '@mlops/ml/validation';
import { getDatasetPolicy, getDatasetVersion, upsertDatasetPolicy } from '@mlops/storage';
import type { Principal } from '../../auth';
import type { RegistryDeps } from '../../deps';

/**
 * Check a new version of `name` against its latest stored version (the one it will follow), at
 * ingest, before it is stored: the anomalies become part of the version record.
 */
export async function validateNewVersion(
  deps: RegistryDeps,
  name: string,
  current: { schema: DatasetSchema; profile: DatasetProfile },
): Promise<DatasetValidation> {
  const previous = (await getDatasetVersion(deps.db, name)) ?? null;
  return {
    against: previous ? { version: previous.version } : null,
    anomalies: validateDataset(current, previous),
    checkedAt: new Date().toISOString(),
  };
}

export async function datasetPolicyOf(
  deps: RegistryDeps,
  name: string,
): Promise<DatasetPolicy | null> {
  return (await getDatasetPolicy(deps.db, name)) ?? null;
}

export function saveDatasetPolicy(
  deps: RegistryDeps,
  input: Pick<DatasetPolicy, 'name' | 'blockTrainingOnAnomalies'>,
  principal: Principal,
): Promise<DatasetPolicy> {
  return upsertDatasetPolicy(deps.db, {
    ...input,
    updatedBy: principal.name,
    updatedAt: new Date().toISOString(),
  });
}

/**
 * `runs.create`: refuse (412) to train on a version whose anomalies the dataset's policy blocks,
 * naming each one. A version never checked (ingested before validation) has none to block on.
 */
export async function checkTrainingPolicy(
  deps: RegistryDeps,
  dataset: DatasetVersion,
): Promise<void> {
  const policy = await getDatasetPolicy(deps.db, dataset.name);
  if (!policy || !dataset.validation) return;
  const blocking = blockingAnomalies(dataset.validation.anomalies, policy.blockTrainingOnAnomalies);
  if (blocking.length === 0) return;
  throw new AppError(
    'PRECONDITION_FAILED',
    `dataset ${dataset.name} v${dataset.version} has ${blocking.length} anomal${blocking.length === 1 ? 'y' : 'ies'} that its policy (blockTrainingOnAnomalies: ${policy.blockTrainingOnAnomalies}) refuses training on: ${blocking
      .slice(0, 5)
      .map((a) => `${a.kind}${a.column ? ` "${a.column}"` : ''}`)
      .join(
        ', ',
      )}${blocking.length > 5 ? ', …' : ''}; fix the data and upload a new version, or change the policy`,
    blocking.slice(0, 50).map((a) => ({
      path: `dataset.validation.${a.kind}${a.column ? `.${a.column}` : ''}`,
      message: `${a.severity}: ${a.message}`,
    })),
  );
}
