import type { DatasetValidation } from '@mlops/contracts';

/** `2 errors, 1 warning` (or `none`, or `not checked` for versions from before validation). */
export function anomalySummary(validation: DatasetValidation | null): string {
  if (!validation) return 'not checked';
  const errors = validation.anomalies.filter((a) => a.severity === 'error').length;
  const warnings = validation.anomalies.length - errors;
  if (errors + warnings === 0) return 'none';
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/**
 * The anomalies of a dataset version, one line each, for `mlops ingest` and `mlops dataset`:
 * what a person must see before training on the version.
 */
export function validationLines(validation: DatasetValidation | null): string[] {
  if (!validation) return ['validation: not checked (ingested before validation existed)'];
  const against = validation.against
    ? `against v${validation.against.version}`
    : 'first version of the name';
  const head = `validation (${against}): ${anomalySummary(validation)}`;
  return [
    head,
    ...validation.anomalies.map(
      (a) =>
        `  ${a.severity.toUpperCase()} ${a.kind}${a.column ? ` ${a.column}` : ''}: ${a.message}`,
    ),
  ];
}
