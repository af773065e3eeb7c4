import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useSession } from '../api/session';
import { PagedTable } from '../components/PagedTable';
import { Card, ErrorNote, Status } from '../components/Status';
import { paginate } from '../lib/paginate';
import {
  cachedSteps,
  elapsedMs,
  formatDuration,
  isRunActive,
  triggerText,
} from '../lib/pipeline-run';
import { pageHref } from '../lib/route';

const PAGE_SIZE = 10;

/** The history of one pipeline, newest first; polled fast only while a run is live. */
export function PipelineRuns({ pipeline }: { pipeline: string }) {
  const { clients, abilities } = useSession();
  const [page, setPage] = useState(1);
  // Starts the current version with its parameters' defaults; a parameter without one is
  // refused by the registry, naming it (`parameters.<name>: required`), and shown here.
  const start = useMutation({
    mutationFn: () => clients.api.pipelines.run.mutate({ name: pipeline }),
    onSuccess: (run) => {
      window.location.hash = pageHref('pipelines', { run: run.id });
    },
  });
  const runs = useQuery({
    queryKey: ['pipelines.runs', pipeline],
    queryFn: () => clients.api.pipelines.runs.query({ pipeline, limit: 500 }),
    refetchInterval: (q) => (q.state.data?.some(isRunActive) ? 1_500 : 10_000),
  });
  const list = runs.data ?? [];
  const shown = paginate(list, page, PAGE_SIZE);
  const now = runs.dataUpdatedAt || Date.now();
  return (
    <Card
      title={`Runs of ${pipeline}`}
      actions={
        abilities.pipelines ? (
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            Run with defaults
          </button>
        ) : null
      }
    >
      <ErrorNote error={runs.error ?? start.error} />
      {list.length === 0 && runs.isSuccess ? (
        <p className="muted">
          No runs yet: <code>npx mlops pipeline run {pipeline}</code>.
        </p>
      ) : null}
      <PagedTable
        caption={`Runs of ${pipeline}, newest first`}
        columns={['Run', 'Version', 'Status', 'Trigger', 'Started', 'Duration', 'Cached']}
        page={shown}
        pagerLabel={`${pipeline} runs`}
        onPage={setPage}
        row={(run) => (
          <tr key={run.id}>
            <td>
              <a href={pageHref('pipelines', { run: run.id })} aria-label={`Open run ${run.id}`}>
                <code>{run.id.slice(0, 10)}</code>
              </a>
            </td>
            <td>v{run.pipelineVersion}</td>
            <td>
              <Status value={run.status} />
            </td>
            <td>{triggerText(run)}</td>
            <td>{run.startedAt ? new Date(run.startedAt).toLocaleString() : 'not yet'}</td>
            <td>{formatDuration(elapsedMs(run, now))}</td>
            <td>
              {cachedSteps(run)} of {run.steps.length}
            </td>
          </tr>
        )}
      />
    </Card>
  );
}
