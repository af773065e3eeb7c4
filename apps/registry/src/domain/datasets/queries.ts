import type { Readable } from 'node:stream';
import { AppError, type DatasetVersion, type DatasetVersionSummary } from '@mlops/contracts';
import { getDatasetRow, getDatasetVersion, listDatasetVersions } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';

export async function getDataset(
  deps: RegistryDeps,
  name: string,
  version?: number,
): Promise<DatasetVersion> {
  const found = await getDatasetVersion(deps.db, name, version);
  if (!found) throw datasetNotFound(name, version);
  return found;
}

export function listDatasets(
  deps: RegistryDeps,
  opts: { name?: string; limit: number },
): Promise<DatasetVersionSummary[]> {
  return listDatasetVersions(deps.db, opts);
}

/** The stored canonical JSON Lines of a version. */
export async function datasetRowsStream(
  deps: RegistryDeps,
  name: string,
  version: number,
): Promise<Readable> {
  const row = await getDatasetRow(deps.db, name, version);
  if (!row) throw datasetNotFound(name, version);
  return deps.store.get(row.blob_sha256);
}

export function datasetNotFound(name: string, version?: number): AppError {
  const which =
    version === undefined ? `dataset "${name}"` : `dataset "${name}" version ${version}`;
  return new AppError(
    'NOT_FOUND',
    `${which} does not exist; list datasets to see what is registered`,
  );
}
