import { AppError, type DatasetVersion, type TrainingSpec } from '@mlops/contracts';

/** Classification on a numeric target is allowed when it has at most this many values. */
export const MAX_NUMERIC_CLASSES = 50;

/**
 * A spec must fit the dataset version it resolved to: known target and features, the target not
 * among the features, and a target type that suits the task. Each refusal names the field.
 */
export function checkSpecAgainstDataset(spec: TrainingSpec, dataset: DatasetVersion): void {
  const columns = dataset.schema.columns;
  const names = columns.map((c) => c.name).join(', ');
  const target = columns.find((c) => c.name === spec.target);
  if (!target) {
    throw new AppError(
      'VALIDATION_FAILED',
      `target column "${spec.target}" is not in dataset ${dataset.name} v${dataset.version} (columns: ${names})`,
      [{ path: 'target', message: `unknown column "${spec.target}"` }],
    );
  }
  const unknown = (spec.features ?? []).flatMap((f, i) =>
    columns.some((c) => c.name === f)
      ? []
      : [{ path: `features[${i}]`, message: `unknown column "${f}"` }],
  );
  if (unknown.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `feature columns not in dataset ${dataset.name} v${dataset.version} (columns: ${names})`,
      unknown,
    );
  }
  if (spec.features?.includes(spec.target)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `the target "${spec.target}" cannot also be a feature`,
      [{ path: 'features', message: 'contains the target' }],
    );
  }
  if (target.type === 'datetime') {
    throw new AppError(
      'VALIDATION_FAILED',
      `"${target.name}" is a datetime column: a model predicts a label or a number, not a date — choose another target`,
      [{ path: 'target', message: 'column is datetime' }],
    );
  }
  if (spec.task === 'regression' && target.type !== 'numeric') {
    throw new AppError(
      'VALIDATION_FAILED',
      `regression needs a numeric target; "${target.name}" is ${target.type} — use task "classification"`,
      [{ path: 'target', message: `column is ${target.type}` }],
    );
  }
  if (spec.task === 'classification' && target.type === 'numeric') {
    const profile = dataset.profile.columns.find((c) => c.name === target.name);
    const distinct = profile?.distinct ?? Number.POSITIVE_INFINITY;
    if (distinct > MAX_NUMERIC_CLASSES) {
      throw new AppError(
        'VALIDATION_FAILED',
        `classification target "${target.name}" is numeric with ${distinct} distinct values (at most ${MAX_NUMERIC_CLASSES}); use task "regression" or a categorical target`,
        [{ path: 'target', message: 'too many distinct values for classification' }],
      );
    }
  }
}
