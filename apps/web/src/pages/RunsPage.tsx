import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { TERMINAL_RUN_STATUSES, type Run } from '@mlops/contracts';
import { useSession } from '../api/session';
import { PagedTable } from '../components/PagedTable';
import { Card, ErrorNote, Status } from '../components/Status';
import { formatNumber } from '../lib/chart';
import { paginate } from '../lib/paginate';
import { initialHashParam } from '../lib/route';
import { RunDetail } from './RunDetail';
import { TrainForm } from './TrainForm';

const PAGE_SIZE = 10;

export const isActive = (run: Run) => !TERMINAL_RUN_STATUSES.includes(run.status);

export function RunsPage() {
  const { clients, abilities } = useSession();
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<string | null>(() => initialHashParam('run'));
  const runs = useQuery({
    queryKey: ['runs.list'],
    queryFn: () => clients.api.runs.list.query({ limit: 500 }),
    // Poll only while something trains: a quiet page makes no requests.
    refetchInterval: (q) => (q.state.data?.some(isActive) ? 1_500 : 10_000),
  });
  const list = runs.data ?? [];
  const shown = paginate(list, page, PAGE_SIZE);
  const current = selected ?? list[0]?.id ?? null;

  return (
    <>
      {abilities.train ? (
        <TrainForm onStarted={(run) => setSelected(run.id)} />
      ) : (
        <p className="muted">Sign in with a token that may start runs to train a model.</p>
      )}
      <Card title="Training runs">
        <ErrorNote error={runs.error} />
        {list.length === 0 && runs.isSuccess ? <p className="muted">No runs yet.</p> : null}
        <PagedTable
          caption="Training runs, newest first"
          columns={['Run', 'Model', 'Dataset', 'Status', 'Epoch', 'Loss', 'Version', 'Created']}
          page={shown}
          pagerLabel="Runs"
          onPage={setPage}
          row={(run) => (
            <tr key={run.id} aria-current={run.id === current ? 'true' : undefined}>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => setSelected(run.id)}
                  aria-label={`Show run ${run.id}`}
                >
                  <code>{run.id.slice(0, 10)}</code>
                </button>
              </td>
              <td>{run.modelName}</td>
              <td>
                {run.spec.dataset.name}
                {run.spec.dataset.version ? ` v${run.spec.dataset.version}` : ''}
              </td>
              <td>
                <Status value={run.status} />
              </td>
              <td>{run.progress ? `${run.progress.epoch}/${run.progress.epochs}` : '–'}</td>
              <td>{formatNumber(run.progress?.loss)}</td>
              <td>{run.modelVersion ? `v${run.modelVersion}` : '–'}</td>
              <td>{new Date(run.createdAt).toLocaleString()}</td>
            </tr>
          )}
        />
      </Card>
      {current ? <RunDetail id={current} /> : null}
    </>
  );
}
