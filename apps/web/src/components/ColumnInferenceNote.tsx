import type { ColumnInference } from '@mlops/contracts';

/**
 * How the registry decided a column's type, the schema hint that overrode it (if any), and why
 * default features skip it (if they do).
 */
export function ColumnInferenceNote({ decision }: { decision: ColumnInference }) {
  const tokens = Object.entries(decision.missingTokens ?? {});
  return (
    <div className="inference" aria-label={`Inference of ${decision.name}`}>
      <p className="muted">{decision.reason}</p>
      {tokens.length > 0 ? (
        <p className="muted">
          read as missing: {tokens.map(([token, n]) => `${JSON.stringify(token)} ×${n}`).join(', ')}
        </p>
      ) : null}
      {decision.hint ? (
        <p className="muted">
          schema hint:{' '}
          {Object.entries(decision.hint)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')}
        </p>
      ) : null}
      {decision.excluded ? (
        <p className="warning" role="note">
          Not a default feature: {decision.excluded}
        </p>
      ) : null}
    </div>
  );
}
