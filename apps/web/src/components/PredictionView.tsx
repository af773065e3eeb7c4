import type { TryAnswer } from '../lib/try-answer';
import { formatNumber } from '../lib/chart';

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/**
 * One prediction: the label (or value), every class's probability as a bar on a 0–100% scale
 * (not scaled to the largest, so a hesitant model looks hesitant), the version that answered
 * and the round trip as this browser measured it.
 */
export function PredictionView({ answer, latencyMs }: { answer: TryAnswer; latencyMs: number }) {
  return (
    <div className="prediction" role="region" aria-label="Prediction">
      <p className="prediction-head">
        {answer.label !== null ? (
          <>
            <span className="muted">label</span>{' '}
            <strong data-testid="predicted-label">{answer.label}</strong>
          </>
        ) : (
          <>
            <span className="muted">value</span>{' '}
            <strong data-testid="predicted-value">{formatNumber(answer.value)}</strong>
          </>
        )}
      </p>
      {answer.probabilities.length > 0 ? (
        <ul className="category-bars" aria-label="Probabilities">
          {answer.probabilities.map((p) => (
            <li key={p.label}>
              <span className="category-label" title={p.label}>
                {p.label}
              </span>
              <span className="category-track" aria-hidden="true">
                <span
                  className="category-fill"
                  style={{ width: `${Math.min(100, Math.max(0, p.value * 100))}%` }}
                />
              </span>
              <span className="category-value">{percent(p.value)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted" data-testid="answered-by">
        answered by {answer.model} v{answer.version}
        {answer.alias ? ` (${answer.alias})` : ''} in {Math.round(latencyMs)} ms
        {answer.predictionId ? (
          <>
            {' '}
            · prediction id <code>{answer.predictionId}</code>
          </>
        ) : null}
      </p>
    </div>
  );
}
