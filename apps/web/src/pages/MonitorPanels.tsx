import { useQuery } from '@tanstack/react-query';
import { REGISTRY_REST, trainingProfileSchema, type PlatformEvent } from '@mlops/contracts';
import { monitorApi } from '../api/monitor';
import { getJson } from '../api/rest';
import { useSession } from '../api/session';
import { API } from '../api/urls';
import { Card, ErrorNote, Status } from '../components/Status';
import { formatNumber } from '../lib/chart';
import { compareDistribution } from '../lib/live-histogram';

/** Live accuracy / F1 (or RMSE / MAE) from joined feedback, next to the held-out metrics. */
export function QualityCard({ model }: { model: string }) {
  const quality = useQuery({
    queryKey: ['monitor.quality', model],
    queryFn: ({ signal }) => monitorApi.quality.query({ model }, { signal }),
    refetchInterval: 3_000,
    retry: false,
  });
  const q = quality.data;
  const degraded = q?.watched?.degraded ?? false;
  return (
    <Card
      title={`${model}: live quality`}
      actions={
        q ? (
          <Status
            value={q.insufficientData ? 'waiting for feedback' : degraded ? 'degraded' : 'healthy'}
            tone={q.insufficientData ? 'muted' : degraded ? 'bad' : 'ok'}
          />
        ) : null
      }
    >
      {quality.error ? (
        <p className="muted">
          No quality yet: send ground truth to the monitor (POST /v1/feedback).
        </p>
      ) : null}
      {q ? (
        <>
          <p className="muted">
            v{q.version}: {q.samples} labeled predictions
            {q.watched
              ? `; retraining watches ${q.watched.metric} against ${formatNumber(q.watched.threshold)}`
              : ''}
            .
          </p>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Live and held-out metrics of {model}</caption>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col">Live</th>
                  <th scope="col">Held-out</th>
                </tr>
              </thead>
              <tbody>
                {Object.keys({ ...q.live, ...q.heldout }).map((metric) => (
                  <tr key={metric}>
                    <th scope="row">{metric}</th>
                    <td data-testid={`live-${metric}`}>{formatNumber(q.live[metric])}</td>
                    <td>{formatNumber(q.heldout[metric])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Card>
  );
}

const MONITOR_EVENTS = new Set<PlatformEvent['type']>([
  'drift.detected',
  'quality.degraded',
  'retraining.requested',
  'retraining.finished',
  'alias.moved',
]);

function describeEvent(e: PlatformEvent): string {
  switch (e.type) {
    case 'drift.detected':
      return `drift in v${e.version}: ${e.driftedColumns.join(', ')} (share ${formatNumber(e.share)})`;
    case 'quality.degraded':
      return `v${e.version} ${e.metric} ${formatNumber(e.value)} past ${formatNumber(e.threshold)}`;
    case 'retraining.requested':
      return `retraining requested: ${e.reason}`;
    case 'retraining.finished':
      return `retraining finished: ${e.version === null ? 'no version' : `v${e.version}`} ${e.promoted ? 'promoted' : 'not promoted'}${e.detail ? ` (${e.detail})` : ''}`;
    case 'alias.moved':
      return `${e.alias} → ${e.to === null ? 'removed' : `v${e.to}`}`;
    default:
      return e.type;
  }
}

/** Drift, quality and retraining events (and deployments) from the registry's event log. */
export function MonitorEventsCard({ model }: { model: string }) {
  const { clients } = useSession();
  const events = useQuery({
    queryKey: ['registry.events', model],
    queryFn: ({ signal }) => clients.api.events.recent.query({ limit: 200 }, { signal }),
    refetchInterval: 3_000,
  });
  const mine = (events.data ?? []).filter(
    (e) => MONITOR_EVENTS.has(e.type) && 'model' in e && e.model === model,
  );
  return (
    <Card title={`${model}: drift and retraining events`}>
      <ErrorNote error={events.error} />
      {events.data && mine.length === 0 ? <p className="muted">No events yet.</p> : null}
      <ul className="events">
        {mine.slice(0, 20).map((e) => (
          <li key={e.id}>
            <Status
              value={e.type}
              tone={e.type === 'drift.detected' || e.type === 'quality.degraded' ? 'bad' : 'busy'}
            />{' '}
            {describeEvent(e)} <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** Per feature: live values binned like the training profile (`profile.json` of the version). */
export function LiveVsTrainingCard({ model }: { model: string }) {
  const { clients } = useSession();
  const live = useQuery({
    queryKey: ['monitor.liveSample', model],
    queryFn: ({ signal }) => monitorApi.liveSample.query({ model, rows: 500 }, { signal }),
    refetchInterval: 5_000,
    retry: false,
  });
  const version = live.data?.version;
  const profile = useQuery({
    queryKey: ['registry.profile', model, version],
    enabled: version !== undefined,
    staleTime: Infinity, // a version's bundle never changes
    queryFn: async ({ signal }) => {
      const v = await clients.api.versions.get.query({ model, version: version ?? 0 }, { signal });
      const file = v.manifest.files.find((f) => f.path === 'profile.json');
      if (!file) throw new Error(`${model} v${version ?? '?'} has no profile.json in its bundle`);
      return getJson(
        `${API.registry}${REGISTRY_REST.blob(file.sha256)}`,
        trainingProfileSchema,
        signal,
      );
    },
  });
  const sample = live.data;
  return (
    <Card title={`${model}: live vs training`}>
      <ErrorNote error={profile.error} />
      {sample && profile.data ? (
        <>
          <p>
            <span className="legend s1 legend-box">training (v{sample.version})</span>
            <span className="legend s2 legend-box">live: last {sample.rows} rows</span>
          </p>
          <p className="muted">
            Shares per training histogram bin (or category); live values outside the training range
            count in the outermost bins.
          </p>
          <div className="dist-grid">
            {profile.data.columns
              .filter((c) => c.name in sample.columns)
              .map((c) => (
                <article
                  key={c.name}
                  className="column-card"
                  aria-label={`Distribution of ${c.name}`}
                >
                  <h3>{c.name}</h3>
                  <ul className="dist-bars" aria-label={`Training and live shares of ${c.name}`}>
                    {scaled(compareDistribution(c, sample.columns[c.name] ?? [])).map((row) => (
                      <li key={row.label}>
                        <span title={row.label}>{row.label}</span>
                        <span
                          className="pair"
                          aria-label={`${row.label}: training ${pct(row.training)}, live ${pct(row.live)}`}
                        >
                          <span className="training" style={{ width: `${row.trainingWidth}%` }} />
                          <span className="live" style={{ width: `${row.liveWidth}%` }} />
                        </span>
                      </li>
                    ))}
                  </ul>
                </article>
              ))}
          </div>
        </>
      ) : (
        <p className="muted">Waiting for served traffic.</p>
      )}
    </Card>
  );
}

/** Bar widths relative to the largest share, so the shape reads whatever the bin count. */
function scaled(rows: ReturnType<typeof compareDistribution>) {
  const max = Math.max(1e-9, ...rows.flatMap((r) => [r.training, r.live]));
  return rows.map((r) => ({
    ...r,
    trainingWidth: (r.training / max) * 100,
    liveWidth: (r.live / max) * 100,
  }));
}

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
