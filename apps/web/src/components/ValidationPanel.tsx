import type { DatasetValidation } from '@mlops/contracts';

/** `1 error, 2 warnings`, `none`, or `not checked` (a version from before validation). */
export function anomalyCount(validation: DatasetValidation | null): string {
  if (!validation) return 'not checked';
  const errors = validation.anomalies.filter((a) => a.severity === 'error').length;
  const warnings = validation.anomalies.length - errors;
  const parts = [
    ...(errors > 0 ? [`${errors} error${errors === 1 ? '' : 's'}`] : []),
    ...(warnings > 0 ? [`${warnings} warning${warnings === 1 ? '' : 's'}`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * What ingest found comparing a dataset version with the previous version of its name: each
 * anomaly with its severity, column and figures, errors first (the registry's order).
 */
export function ValidationPanel({ validation }: { validation: DatasetValidation | null }) {
  if (!validation)
    return <p className="muted">Validation: not checked (ingested before validation existed).</p>;
  const against = validation.against
    ? `compared with v${validation.against.version}`
    : 'first version of this name';
  return (
    <section aria-label="Validation" className="validation">
      <h3>
        Validation ({against}): {anomalyCount(validation)}
      </h3>
      {validation.anomalies.length > 0 ? (
        <ul>
          {validation.anomalies.map((a, i) => (
            <li key={i} className={a.severity === 'error' ? 'error' : 'warning'}>
              <strong>{a.severity}</strong> <code>{a.kind}</code>
              {a.column ? (
                <>
                  {' '}
                  on <code>{a.column}</code>
                </>
              ) : null}
              : {a.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
