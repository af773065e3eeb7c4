import { useState } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import type { PipelineRun } from '@mlops/contracts';
import { useSession } from '../api/session';
import { Card, ErrorNote, Status } from '../components/Status';
import { isRunActive } from '../lib/pipeline-run';
import { initialHashParam, pageHref, useHashParam } from '../lib/route';
import { PipelineRunView } from './PipelineRunView';
import { PipelineRuns } from './PipelineRuns';

/**
 * `#/pipelines`: the registered pipelines with their last run, and the runs of the chosen one.
 * `#/pipelines?run=<id>`: one run, drawn as its graph (PipelineRunView).
 */
export function PipelinesPage() {
  const run = useHashParam('run');
  return run ? <PipelineRunView key={run} id={run} /> : <PipelineList />;
}

function PipelineList() {
  const { clients } = useSession();
  const [selected, setSelected] = useState<string | null>(() => initialHashParam('pipeline'));
  const pipelines = useQuery({
    queryKey: ['pipelines.list'],
    queryFn: () => clients.api.pipelines.list.query({ limit: 500 }),
    refetchInterval: 10_000,
  });
  const list = pipelines.data ?? [];
  // The newest run of each pipeline: one small read each, batched into one request.
  const last = useQueries({
    queries: list.map((p) => ({
      queryKey: ['pipelines.runs', p.name, 'last'],
      queryFn: () => clients.api.pipelines.runs.query({ pipeline: p.name, limit: 1 }),
      refetchInterval: (q: { state: { data?: PipelineRun[] } }) =>
        q.state.data?.some(isRunActive) ? 2_000 : 10_000,
    })),
  });
  const current = selected ?? list[0]?.name ?? null;
  return (
    <>
      <Card title="Registered pipelines">
        <ErrorNote error={pipelines.error} />
        {list.length === 0 && pipelines.isSuccess ? (
          <p className="muted">
            No pipelines yet: register one with <code>npx mlops pipeline run &lt;file&gt;</code>.
          </p>
        ) : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Registered pipelines</caption>
              <thead>
                <tr>
                  {['Pipeline', 'Version', 'Steps', 'Last run', 'Started'].map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {list.map((p, i) => {
                  const lastRun = last[i]?.data?.[0];
                  return (
                    <tr key={p.name} aria-current={p.name === current ? 'true' : undefined}>
                      <td>
                        <button
                          type="button"
                          className="link"
                          onClick={() => setSelected(p.name)}
                          aria-label={`Show runs of ${p.name}`}
                        >
                          {p.name}
                        </button>
                      </td>
                      <td>v{p.version}</td>
                      <td>{p.definition.steps.length}</td>
                      <td>
                        {lastRun ? (
                          <a href={pageHref('pipelines', { run: lastRun.id })}>
                            <Status value={lastRun.status} />
                          </a>
                        ) : (
                          <span className="muted">never run</span>
                        )}
                      </td>
                      <td>
                        {lastRun
                          ? new Date(lastRun.startedAt ?? lastRun.createdAt).toLocaleString()
                          : '–'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
      {current ? <PipelineRuns key={current} pipeline={current} /> : null}
    </>
  );
}
