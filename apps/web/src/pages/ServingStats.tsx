import { useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { servingStatsSchema, type ServingStats } from '@mlops/contracts';
import { getJson } from '../api/rest';
import { API } from '../api/urls';
import { Card, ErrorNote } from '../components/Status';
import { formatNumber } from '../lib/chart';
import { meanBatchSize, ratesBetween, type ServingRates } from '../lib/serving-rates';

const POLL_MS = 2_000;

/** Throughput, latency and routing of one served model, from serving's `/stats` (its metrics). */
export function ServingStatsCard({ model }: { model: string }) {
  // Rates are differences between polls: the page keeps the previous snapshot.
  const previous = useRef<ServingStats | null>(null);
  const rates = useRef<ServingRates | null>(null);
  const stats = useQuery({
    queryKey: ['serving.stats', model],
    queryFn: async ({ signal }) => {
      const next = await getJson(
        `${API.serving}/v1/models/${encodeURIComponent(model)}/stats`,
        servingStatsSchema,
        signal,
      );
      rates.current = ratesBetween(previous.current, next) ?? rates.current;
      previous.current = next;
      return next;
    },
    refetchInterval: POLL_MS,
    retry: false,
  });
  const s = stats.data;
  const r = rates.current;
  const figures: Array<[string, string, string]> = s
    ? [
        ['req/s', r ? formatNumber(round(r.requestsPerSecond)) : '–', 'rps'],
        ['rows/s', r ? formatNumber(round(r.rowsPerSecond)) : '–', 'rows-per-second'],
        [
          'batch size',
          formatNumber(round(r?.batchSize ?? meanBatchSize(s) ?? Number.NaN)),
          'batch-size',
        ],
        ['queue p50 ms', formatNumber(s.total.queueMs.p50), 'queue-p50'],
        ['queue p99 ms', formatNumber(s.total.queueMs.p99), 'queue-p99'],
        ['compute p50 ms', formatNumber(s.total.computeMs.p50), 'compute-p50'],
        ['compute p99 ms', formatNumber(s.total.computeMs.p99), 'compute-p99'],
        ['requests', String(s.total.requests), 'requests'],
        ['failures', String(s.total.failures), 'failures'],
      ]
    : [];
  return (
    <Card title={`${model}: traffic`}>
      <ErrorNote error={stats.error} />
      {s ? (
        <>
          <dl className="stats" data-testid={`serving-stats-${model}`}>
            {figures.map(([label, value, id]) => (
              <div key={id}>
                <dt>{label}</dt>
                <dd data-testid={`stat-${id}`}>{value}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">
            Rates are measured between polls ({POLL_MS / 1000} s); latencies are serving&apos;s
            histograms since it started (queue = waiting for a batch, compute = the model).
          </p>
          <h3>{s.canary ? 'Canary split' : 'Routing'}</h3>
          <ul className="category-bars" aria-label={`Traffic split of ${model}`}>
            {s.routes.map((route) => (
              <li key={route.alias}>
                <span className="category-label">{route.alias}</span>
                <span className="category-track" aria-hidden="true">
                  <span className="category-fill" style={{ width: `${route.share * 100}%` }} />
                </span>
                <span className="category-value" data-testid={`weight-${route.alias}`}>
                  {`${formatNumber(round(route.share * 100))}%`}
                  {s.canary ? ` · ${route.requests} req` : ''}
                </span>
              </li>
            ))}
          </ul>
          <p className="muted">
            {s.canary
              ? 'Requests that name only the model are split by these weights (SERVING_ROUTES).'
              : `No canary configured: every request goes to ${s.alias}.`}
            {s.shadow
              ? ` Shadow: mirrored to ${'alias' in s.shadow ? s.shadow.alias : `v${s.shadow.version}`}.`
              : ''}
          </p>
          {s.versions.length > 1 ? (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Traffic per version of {model}</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Batch size</th>
                    <th scope="col">Compute p99 ms</th>
                  </tr>
                </thead>
                <tbody>
                  {s.versions.map((v) => (
                    <tr key={v.version}>
                      <th scope="row">v{v.version}</th>
                      <td>{v.requests}</td>
                      <td>{v.rows}</td>
                      <td>{formatNumber(v.batches > 0 ? round(v.rows / v.batches) : null)}</td>
                      <td>{formatNumber(v.computeMs.p99)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
