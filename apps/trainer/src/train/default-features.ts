import { excludedColumns, type DatasetVersion, type TrainingSpec } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { resolveColumns } from './columns';

/**
 * The run's feature names: spec.features when given, else every column but the target minus
 * those the dataset's inference report excludes (dates, identifiers, free text). Each skipped
 * column is logged with its reason, so a run's log says why a column is not a feature.
 */
export function defaultFeatures(
  spec: TrainingSpec,
  dataset: Pick<DatasetVersion, 'schema' | 'profile'>,
  logger: Pick<Logger, 'info'>,
  runId: string,
): { features: string[]; skipped: Record<string, string> } {
  const excluded = spec.features ? new Map<string, string>() : excludedColumns(dataset.profile);
  const { features } = resolveColumns(spec, dataset.schema, excluded);
  const skipped = Object.fromEntries([...excluded].filter(([name]) => name !== spec.target));
  if (Object.keys(skipped).length > 0)
    logger.info({ runId, skipped }, 'default features skip columns excluded by inference');
  return { features: features.map((f) => f.name), skipped };
}
