import type { DatasetVersion } from '@mlops/contracts';
import type { RegistryDeps } from '../../deps';
import { publishEvent } from '../events';
import { triggerDatasetPipelines } from '../pipelines/triggers';

/**
 * The epilogue of every dataset upload (tables and images alike): a version that is new — not
 * a re-upload of content already stored — is counted, announced as `dataset.created`, and
 * starts the pipelines whose `on.dataset` names it (but not the pipeline whose run produced it:
 * `producedByRun`, the `pipelineRunId` an ingest step uploads with, checked).
 */
export async function announceDatasetCreated(
  deps: RegistryDeps,
  name: string,
  result: { created: boolean; dataset: DatasetVersion },
  producedByRun?: string,
): Promise<void> {
  if (!result.created) return;
  deps.metrics.datasetsCreated.inc();
  await publishEvent(deps, {
    type: 'dataset.created',
    dataset: name,
    datasetId: result.dataset.id,
    version: result.dataset.version,
    hash: result.dataset.hash,
  });
  await triggerDatasetPipelines(deps, { name, version: result.dataset.version }, producedByRun);
}
