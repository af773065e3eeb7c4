import { useQuery } from '@tanstack/react-query';
import { monitorApi } from '../api/monitor';
import { LineChart } from '../components/LineChart';
import { Sparkline } from '../components/Sparkline';
import { Card, ErrorNote, Status } from '../components/Status';
import { formatNumber } from '../lib/chart';
import { dataQualityCell } from '../lib/data-quality';
import { driftOverTime } from '../lib/drift-history';
import { LiveVsTrainingCard, MonitorEventsCard, QualityCard } from './MonitorPanels';

export function MonitoringPage() {
  const models = useQuery({
    queryKey: ['monitor.models'],
    queryFn: ({ signal }) => monitorApi.models.query(undefined, { signal }),
    refetchInterval: 5_000,
  });
  return (
    <>
      <ErrorNote error={models.error} />
      {models.data && models.data.length === 0 ? (
        <p className="muted">The monitor follows no model yet.</p>
      ) : null}
      {models.data?.map((m) => (
        <section key={m.model} aria-label={`Monitoring of ${m.model}`}>
          <DriftCard model={m.model} />
          <QualityCard model={m.model} />
          <LiveVsTrainingCard model={m.model} />
          <MonitorEventsCard model={m.model} />
        </section>
      ))}
    </>
  );
}

function DriftCard({ model }: { model: string }) {
  const drift = useQuery({
    queryKey: ['monitor.drift', model],
    queryFn: ({ signal }) => monitorApi.drift.query({ model }, { signal }),
    refetchInterval: 3_000,
    retry: false,
  });
  // The monitor keeps its recent reports: drift over time survives a page reload.
  const history = useQuery({
    queryKey: ['monitor.history', model],
    queryFn: ({ signal }) => monitorApi.history.query({ model }, { signal }),
    refetchInterval: 5_000,
    retry: false,
  });
  const r = drift.data;
  const trend = driftOverTime(history.data?.drift ?? []);
  const overTime = new Map(trend.features.map((f) => [f.column, f]));
  const verdict = !r
    ? null
    : r.insufficientData
      ? 'waiting for traffic'
      : r.datasetDrift
        ? 'drift'
        : 'no drift';
  return (
    <Card
      title={`${model}: drift`}
      actions={
        verdict ? (
          <Status
            value={verdict}
            tone={verdict === 'drift' ? 'bad' : verdict === 'no drift' ? 'ok' : 'muted'}
          />
        ) : null
      }
    >
      <ErrorNote error={drift.error} />
      {r ? (
        <>
          <p className="muted">
            v{r.version}: {r.window.rows} live rows against {r.referenceRows}{' '}
            {r.reference === 'first_window' ? 'rows of its first window' : 'training rows'};{' '}
            {r.driftedColumns.length} of {r.columns.length} columns drifted (share{' '}
            {formatNumber(r.driftShare)}).
          </p>
          {trend.share.length > 1 ? (
            <LineChart
              title={`Drift share over time of ${model}`}
              xLabel="seconds"
              height={120}
              yRange={[0, 1]}
              series={[{ name: 'share of drifted features', points: trend.share, className: 's2' }]}
            />
          ) : null}
          {r.columns.length > 0 ? (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Drift per feature</caption>
                <thead>
                  <tr>
                    <th scope="col">Feature</th>
                    <th scope="col">Type</th>
                    <th scope="col">Test</th>
                    <th scope="col">Score</th>
                    <th scope="col">Threshold</th>
                    <th scope="col">Verdict</th>
                    <th scope="col">Score over time</th>
                    <th scope="col">Drifted in</th>
                    <th scope="col">Unknown or out of range</th>
                  </tr>
                </thead>
                <tbody>
                  {r.columns.map((c) => {
                    const f = overTime.get(c.column);
                    return (
                      <tr key={c.column}>
                        <th scope="row">{c.column}</th>
                        <td>{c.type}</td>
                        <td>{c.method}</td>
                        <td>{formatNumber(c.score)}</td>
                        <td>{formatNumber(c.threshold)}</td>
                        <td>
                          <Status value={c.drifted ? 'drift' : 'no drift'} />
                        </td>
                        <td>
                          <Sparkline
                            title={`${c.method} score of ${c.column} over time`}
                            points={f?.scores ?? []}
                          />
                        </td>
                        <td>{f ? `${f.drifted} of ${f.reports} reports` : '–'}</td>
                        <td>{dataQualityCell(r, c.column)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
