import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PipelineRun } from '@mlops/contracts';
import { useSession } from '../api/session';
import { CancelButton } from '../components/CancelButton';
import { PipelineGraph } from '../components/PipelineGraph';
import { StepDetail } from '../components/StepDetail';
import { Card, ErrorNote, Status } from '../components/Status';
import {
  cachedSteps,
  elapsedMs,
  formatDuration,
  isRunActive,
  triggerText,
} from '../lib/pipeline-run';
import { pageHref } from '../lib/route';

/**
 * One pipeline run: its DAG with each step's state, the chosen step's inputs, outputs and
 * error. Polled every second while queued or running (as the training run page is), not after.
 */
export function PipelineRunView({ id }: { id: string }) {
  const { clients, abilities } = useSession();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const run = useQuery({
    queryKey: ['pipelines.getRun', id],
    queryFn: () => clients.api.pipelines.getRun.query({ id }),
    refetchInterval: (q) => (q.state.data && !isRunActive(q.state.data) ? false : 1_000),
  });
  const r = run.data;
  const active = r ? isRunActive(r) : false;
  useEffect(() => {
    // The run ended: the lists showing it as live read it again.
    if (r && !active) void queryClient.invalidateQueries({ queryKey: ['pipelines.runs'] });
  }, [active, r, queryClient]);

  const cancel = useMutation({
    mutationFn: () =>
      clients.api.pipelines.cancel.mutate({ id, reason: 'cancelled from the dashboard' }),
    onSuccess: (next) => queryClient.setQueryData(['pipelines.getRun', id], next),
  });
  const again = useMutation({
    mutationFn: (prev: PipelineRun) =>
      clients.api.pipelines.run.mutate({ name: prev.pipeline, parameters: prev.parameters }),
    onSuccess: (next) => {
      window.location.hash = pageHref('pipelines', { run: next.id });
    },
  });

  const now = run.dataUpdatedAt || Date.now();
  const failed = r?.steps.find((s) => s.status === 'failed')?.stepId ?? null;
  const shown = selected ?? failed;
  const step = r?.steps.find((s) => s.stepId === shown);
  return (
    <>
      <p>
        <a href={pageHref('pipelines', r ? { pipeline: r.pipeline } : {})}>← All pipelines</a>
      </p>
      <Card
        title={`Pipeline run ${id.slice(0, 10)}`}
        actions={
          r && abilities.pipelines ? (
            active ? (
              <CancelButton onCancel={() => cancel.mutate()} pending={cancel.isPending} />
            ) : (
              <button
                type="button"
                onClick={() => again.mutate(r)}
                disabled={again.isPending}
                title="Start the pipeline's current version with these parameters"
              >
                Run again
              </button>
            )
          ) : null
        }
      >
        <ErrorNote error={run.error ?? cancel.error ?? again.error} />
        {r ? (
          <>
            <p data-testid="pipeline-run-summary">
              <Status value={r.status} /> {r.pipeline} v{r.pipelineVersion} · {triggerText(r)} ·{' '}
              {r.startedAt ? `started ${new Date(r.startedAt).toLocaleString()}` : 'not started'} ·{' '}
              {formatDuration(elapsedMs(r, now))} · {cachedSteps(r)} of {r.steps.length} steps
              cached{r.noCache ? ' (cache off for this run)' : ''}
            </p>
            {Object.keys(r.parameters).length > 0 ? (
              <dl className="stats" aria-label="Parameters">
                {Object.entries(r.parameters).map(([k, v]) => (
                  <div key={k} className="stat">
                    <dt>{k}</dt>
                    <dd>
                      <code>{JSON.stringify(v)}</code>
                    </dd>
                  </div>
                ))}
              </dl>
            ) : null}
            {r.error ? <p className="error">{r.error}</p> : null}
            <PipelineGraph
              definition={r.definition}
              steps={r.steps}
              selected={shown}
              onSelect={setSelected}
              now={now}
            />
            {step ? (
              <StepDetail step={step} now={now} />
            ) : (
              <p className="muted">Select a step to see its inputs, outputs and error.</p>
            )}
          </>
        ) : null}
      </Card>
    </>
  );
}
