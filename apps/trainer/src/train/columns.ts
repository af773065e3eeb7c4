import {
  AppError,
  isImageColumn,
  scalarColumns,
  type Column,
  type DatasetSchema,
  type TrainingSpec,
} from '@mlops/contracts';

export interface ResolvedColumns {
  features: Column[];
  target: Column;
}

/** A classification target with more classes than this is almost surely a regression target. */
export const MAX_CLASSES = 1_000;

/**
 * Feature and target columns of the spec, checked against the dataset schema. Without
 * spec.features every column but the target is a feature, except those in `excluded` (the
 * dataset's inference report: dates, identifiers, free text; name → reason).
 */
export function resolveColumns(
  spec: TrainingSpec,
  schema: DatasetSchema,
  excluded: ReadonlyMap<string, string> = new Map(),
): ResolvedColumns {
  const images = schema.columns.filter(isImageColumn).map((c) => c.name);
  if (images.length > 0)
    throw new AppError(
      'BAD_DATASET',
      `dataset "${spec.dataset.name}" has image column(s) ${images.map((n) => `"${n}"`).join(', ')}; the tabular presets train on scalar columns only`,
    );
  const byName = new Map(scalarColumns(schema.columns).map((c) => [c.name, c]));
  const available = schema.columns.map((c) => c.name).join(', ');
  const target = byName.get(spec.target);
  if (!target) {
    throw new AppError(
      'BAD_DATASET',
      `Target "${spec.target}" is not a column of dataset "${spec.dataset.name}" (columns: ${available})`,
    );
  }
  if (spec.task === 'regression' && target.type !== 'numeric') {
    throw new AppError(
      'BAD_DATASET',
      `Regression target "${target.name}" is ${target.type}; use task "classification" or a numeric target`,
    );
  }
  const names =
    spec.features ??
    schema.columns.map((c) => c.name).filter((n) => n !== target.name && !excluded.has(n));
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new AppError(
      'BAD_DATASET',
      `Feature(s) ${missing.map((n) => `"${n}"`).join(', ')} are not columns of dataset "${spec.dataset.name}" (columns: ${available})`,
    );
  }
  if (names.includes(target.name)) {
    throw new AppError('BAD_DATASET', `Target "${target.name}" cannot also be a feature`);
  }
  if (names.length === 0) {
    const skipped = [...excluded.keys()].filter((n) => n !== target.name);
    throw new AppError(
      'BAD_DATASET',
      skipped.length > 0
        ? `The dataset has no feature column besides the target once inference's exclusions are left out (${skipped.map((n) => `"${n}": ${excluded.get(n) ?? ''}`).join('; ')}); list features in spec.features to use them`
        : 'The dataset has no feature column besides the target',
    );
  }
  return { features: names.map((n) => byName.get(n) as Column), target };
}
