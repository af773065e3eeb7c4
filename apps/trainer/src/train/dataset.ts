import { AppError, type DatasetVersion, type Run, type TrainingSpec } from '@mlops/contracts';
import type { TrainerRegistry } from '../registry';

/**
 * The dataset version the run resolved when it was created. A spec without a version meant
 * "latest at creation time": a newer upload since then must not change what this run trains on.
 */
export async function fetchRunDataset(
  registry: Pick<TrainerRegistry, 'api'>,
  run: Pick<Run, 'datasetId'>,
  spec: TrainingSpec,
): Promise<DatasetVersion> {
  const { name, version } = spec.dataset;
  const dataset = await registry.api.datasets.get.query(version ? { name, version } : { name });
  if (dataset.id === run.datasetId || version) return dataset;
  const versions = await registry.api.datasets.list.query({ name, limit: 500 });
  const match = versions.find((d) => d.id === run.datasetId);
  if (match) return registry.api.datasets.get.query({ name, version: match.version });
  throw new AppError(
    'NOT_FOUND',
    `Dataset version ${run.datasetId} of the run is no longer in dataset "${name}"`,
  );
}
