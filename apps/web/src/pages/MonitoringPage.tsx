import { useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { driftReportSchema } from '@mlops/contracts';
import { getJson } from '../api/rest';
import { monitorModelsSchema } from '../api/schemas';
import { API } from '../api/urls';
import { LineChart } from '../components/LineChart';
import { Card, ErrorNote, Status } from '../components/Status';
import { formatNumber } from '../lib/chart';
import { appendReport, EMPTY_TREND, type DriftTrend } from '../lib/drift-history';

export function MonitoringPage() {
  const models = useQuery({
    queryKey: ['monitor.models'],
    queryFn: ({ signal }) => getJson(`${API.monitor}/v1/models`, monitorModelsSchema, signal),
    refetchInterval: 5_000,
  });
  return (
    <>
      <ErrorNote error={models.error} />
      {models.data && models.data.models.length === 0 ? (
        <p className="muted">The monitor follows no model yet.</p>
      ) : null}
      {models.data?.models.map((m) => (
        <DriftCard key={m.model} model={m.model} />
      ))}
    </>
  );
}

function DriftCard({ model }: { model: string }) {
  const drift = useQuery({
    queryKey: ['monitor.drift', model],
    queryFn: ({ signal }) =>
      getJson(`${API.monitor}/v1/drift/${encodeURIComponent(model)}`, driftReportSchema, signal),
    refetchInterval: 3_000,
    retry: false,
  });
  const r = drift.data;
  // The monitor answers the current window only: the page keeps what it saw to draw a trend.
  const history = useRef<DriftTrend>(EMPTY_TREND);
  if (r && !r.insufficientData) history.current = appendReport(history.current, r);
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
            v{r.version}: {r.window.rows} live rows against {r.referenceRows} training rows;{' '}
            {r.driftedColumns.length} of {r.columns.length} columns drifted (share{' '}
            {formatNumber(r.driftShare)}).
          </p>
          {r.columns.length > 0 ? (
            <>
              {history.current.points.length > 1 ? (
                <LineChart
                  title={`Drift share over time of ${model}`}
                  xLabel="seconds"
                  height={120}
                  yRange={[0, 1]}
                  series={[
                    {
                      name: 'share of drifted features (since this page opened)',
                      points: history.current.points,
                      className: 's2',
                    },
                  ]}
                />
              ) : null}
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
                    </tr>
                  </thead>
                  <tbody>
                    {r.columns.map((c) => (
                      <tr key={c.column}>
                        <th scope="row">{c.column}</th>
                        <td>{c.type}</td>
                        <td>{c.method}</td>
                        <td>{formatNumber(c.score)}</td>
                        <td>{formatNumber(c.threshold)}</td>
                        <td>
                          <Status value={c.drifted ? 'drift' : 'no drift'} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
