import type { Metrics, ModelVersion } from '@mlops/contracts';
import { formatNumber } from '../lib/chart';

function MetricList({
  label,
  metrics,
  muted,
}: {
  label: string;
  metrics: Metrics;
  muted?: boolean;
}) {
  return (
    <dl className={muted ? 'stats muted' : 'stats'} aria-label={label}>
      {Object.entries(metrics).map(([k, val]) => (
        <div key={k} className="stat">
          <dt>{k}</dt>
          <dd>{formatNumber(val)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A version's metrics from two sources, never mixed: what the platform measured (the ones a
 * promotion gate reads) and what the registering client claimed in its manifest (labelled).
 */
export function VersionMetrics({
  v,
}: {
  v: Pick<ModelVersion, 'platformMetrics' | 'claimedMetrics'>;
}) {
  const p = v.platformMetrics;
  const source = !p
    ? null
    : p.source.kind === 'run'
      ? `held-out split of run ${p.source.runId}`
      : `evaluation on ${p.source.dataset.name} v${p.source.dataset.version}`;
  const claimed = Object.keys(v.claimedMetrics).length > 0;
  return (
    <div>
      {p ? (
        <>
          <p className="muted">Platform metrics ({source})</p>
          <MetricList label="Platform metrics" metrics={p.metrics} />
        </>
      ) : (
        <p className="muted">
          No platform metrics: gates that require them refuse this version until it is trained on
          the platform or evaluated (<code>mlops evaluate</code>).
        </p>
      )}
      {claimed ? (
        <>
          <p className="muted">Claimed by the client (not verified)</p>
          <MetricList label="Claimed metrics" metrics={v.claimedMetrics} muted />
        </>
      ) : null}
    </div>
  );
}
