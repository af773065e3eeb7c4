import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TERMINAL_RUN_STATUSES, type RunProgress } from '@mlops/contracts';
import { callOptional, optionalProcedure } from '../api/optional';
import { useSession } from '../api/session';
import { CancelButton } from '../components/CancelButton';
import { LineChart } from '../components/LineChart';
import { Card, ErrorNote, Status } from '../components/Status';
import { formatNumber } from '../lib/chart';
import { lossCurve } from '../lib/curve';

export function RunDetail({ id }: { id: string }) {
  const { clients, abilities } = useSession();
  const queryClient = useQueryClient();
  const progressId = useId();
  const run = useQuery({
    queryKey: ['runs.get', id],
    queryFn: () => clients.api.runs.get.query({ id }),
    refetchInterval: (q) =>
      q.state.data && TERMINAL_RUN_STATUSES.includes(q.state.data.status) ? false : 700,
  });
  const active = run.data ? !TERMINAL_RUN_STATUSES.includes(run.data.status) : true;
  const events = useQuery({
    queryKey: ['events.recent'],
    queryFn: () => clients.api.events.recent.query({ limit: 500 }),
    refetchInterval: active ? 2_000 : false,
  });

  // Every progress report polled for this run, so the curve keeps epochs the events window lost.
  const seen = useRef<{ id: string; points: RunProgress[] }>({ id, points: [] });
  if (seen.current.id !== id) seen.current = { id, points: [] };
  const progress = run.data?.progress;
  if (progress && seen.current.points.at(-1)?.epoch !== progress.epoch)
    seen.current.points.push(progress);

  const [cancelAvailable, setCancelAvailable] = useState(
    () => optionalProcedure('runs', 'cancel') !== undefined,
  );
  const cancel = useMutation({
    mutationFn: () => callOptional(clients, 'runs', 'cancel', { id }),
    onError: (err) => {
      if (err.name === 'ProcedureUnavailable') setCancelAvailable(false);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['runs.get', id] }),
  });
  useEffect(() => {
    if (run.data && !active) void queryClient.invalidateQueries({ queryKey: ['runs.list'] });
  }, [active, run.data, queryClient]);

  const r = run.data;
  const curve = lossCurve(id, events.data ?? [], seen.current.points, r?.curve);
  return (
    <Card
      title={`Run ${id.slice(0, 10)}`}
      actions={
        r && active && abilities.cancel && cancelAvailable ? (
          <CancelButton onCancel={() => cancel.mutate()} pending={cancel.isPending} />
        ) : null
      }
    >
      <ErrorNote error={run.error ?? cancel.error} />
      {r ? (
        <>
          <p>
            <Status value={r.status} /> {r.modelName} on {r.spec.dataset.name}, target{' '}
            <code>{r.spec.target}</code> ({r.spec.task}, {r.spec.preset}
            {r.backend ? `, ${r.backend}` : ''})
          </p>
          <div className="progress-line">
            <label htmlFor={progressId}>Training progress</label>
            <progress
              id={progressId}
              max={r.progress?.epochs ?? r.spec.hyperparameters.epochs}
              value={
                r.status === 'completed' ? (r.progress?.epochs ?? 1) : (r.progress?.epoch ?? 0)
              }
            />
            <span data-testid="run-epoch">
              {r.status === 'completed'
                ? 'done'
                : r.progress
                  ? `epoch ${r.progress.epoch} of ${r.progress.epochs}`
                  : r.status}
            </span>
          </div>
          <LineChart
            title="Loss curve"
            xLabel="epoch"
            series={[
              { name: 'loss', points: curve.loss, className: 's1' },
              { name: 'validation loss', points: curve.valLoss, className: 's2' },
            ]}
          />
          {r.error ? <p className="error">{r.error}</p> : null}
          {r.rows ? (
            <p data-testid="run-rows">
              Rows: {r.rows.train} train, {r.rows.validation} validation, {r.rows.test} test
              {r.rows.droppedNullTarget > 0
                ? `; ${r.rows.droppedNullTarget} dropped (no ${r.spec.target})`
                : ''}
            </p>
          ) : null}
          {Object.keys(r.metrics).length > 0 ? (
            <dl className="stats" aria-label="Held-out metrics">
              {Object.entries(r.metrics).map(([k, v]) => (
                <div key={k} className="stat">
                  <dt>{k}</dt>
                  <dd>{formatNumber(v)}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {r.modelVersion ? (
            <p role="status" className="ok">
              Registered {r.modelName} v{r.modelVersion}. <a href="#/models">Open in Models</a>
            </p>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
