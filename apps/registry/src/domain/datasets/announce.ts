import type { DatasetVersion } from '@mlops/contracts';
import type { RegistryDeps } from '../../deps';
import { publishEvent } from '../events';

/**
 * The epilogue of every dataset upload (tables and images alike): a version that is new — not
 * a re-upload of content already stored — is counted and announced as `dataset.created`.
 */
export async function announceDatasetCreated(
  deps: RegistryDeps,
  name: string,
  result: { created: boolean; dataset: DatasetVersion },
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
}
