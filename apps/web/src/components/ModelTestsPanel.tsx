import { testCounts, type ModelVersion } from '@mlops/contracts';
import { formatNumber } from '../lib/chart';

/**
 * The platform's model tests of a version (run by the trainer on its held-out split): what a
 * policy with `requireModelTests` or `minBaselineLift` reads. Failed tests are listed by name
 * with why; the baselines, the calibration error and the worst slice sum up the rest.
 */
export function ModelTestsPanel({ v }: { v: Pick<ModelVersion, 'modelTests'> }) {
  const t = v.modelTests;
  if (!t) {
    return (
      <p className="muted">
        No model tests: gates that require them refuse this version (only versions trained on the
        platform have them).
      </p>
    );
  }
  const { passed, failed } = testCounts(t);
  const worst = t.slices
    .filter((s) => s.score !== null)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))[0];
  return (
    <section aria-label="Model tests">
      <p className="muted">
        Model tests on {t.rows} held-out rows: {passed} passed, {failed} failed
      </p>
      {failed > 0 ? (
        <ul>
          {t.results
            .filter((r) => !r.passed)
            .map((r) => (
              <li key={r.name} className="error">
                <code>{r.name}</code> ({r.kind}): {r.detail}
              </li>
            ))}
        </ul>
      ) : null}
      <dl className="stats" aria-label="Model test summary">
        <div className="stat">
          <dt>baseline lift</dt>
          <dd>{formatNumber(t.baselineLift)}</dd>
        </div>
        {t.baselines.map((b) => (
          <div key={b.name} className="stat">
            <dt>{b.name}</dt>
            <dd>
              {b.metric} {formatNumber(b.value)}
            </dd>
          </div>
        ))}
        {t.calibration ? (
          <div className="stat">
            <dt>ECE</dt>
            <dd>{formatNumber(t.calibration.ece)}</dd>
          </div>
        ) : null}
        {worst ? (
          <div className="stat">
            <dt>worst slice</dt>
            <dd>
              {worst.feature}={worst.slice} {formatNumber(worst.score)} ({worst.rows} rows)
              {worst.flagged ? ' flagged' : ''}
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
