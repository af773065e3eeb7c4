import { nextSteps, type PipelineRun } from '@mlops/contracts';
import { getPipelineRun, updatePipelineRun, updatePipelineStep } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { publishEvent } from '../events';
import { enqueueSteps } from './queue';

/**
 * Moves a run on after any step changed: steps below a skipped or failed one are skipped,
 * steps whose dependencies all succeeded are enqueued, and a run whose steps all ended is
 * finished. Idempotent (job ids dedupe, updates are conditional), so a redelivered job may
 * call it again: that is how a completion recorded just before a crash still moves the run on.
 */
export async function advanceRun(deps: RegistryDeps, runId: string): Promise<PipelineRun> {
  for (;;) {
    const rec = await getPipelineRun(deps.db, runId);
    if (!rec) throw new Error(`pipeline run ${runId} vanished`);
    const { run, definition } = rec;
    if (run.status !== 'queued' && run.status !== 'running') return run;
    const status = new Map(run.steps.map((s) => [s.stepId, s.status]));
    const next = nextSteps(definition, status);
    if (next.skip.length > 0) {
      const now = new Date().toISOString();
      for (const s of next.skip) {
        const ok = await updatePipelineStep(
          deps.db,
          runId,
          s.id,
          { status: 'skipped', error: `skipped: ${s.because}`, finished_at: now },
          ['queued'],
        );
        if (ok) {
          await publishEvent(deps, {
            type: 'pipeline.step',
            runId,
            pipeline: run.pipeline,
            stepId: s.id,
            status: 'skipped',
            cached: false,
          });
        }
      }
      continue;
    }
    await enqueueSteps(deps, runId, definition, next.run);
    const ended = run.steps.every((s) => s.status !== 'queued' && s.status !== 'running');
    if (!ended) return run;
    const failed = run.steps.find((s) => s.status === 'failed');
    const final = failed ? 'failed' : 'succeeded';
    const changed = await updatePipelineRun(
      deps.db,
      runId,
      {
        status: final,
        error: failed ? `step ${failed.stepId} failed: ${failed.error ?? ''}` : null,
        finished_at: new Date().toISOString(),
        ...(run.startedAt ? {} : { started_at: new Date().toISOString() }),
      },
      ['queued', 'running'],
    );
    if (changed) {
      await publishEvent(deps, {
        type: 'pipeline.run',
        runId,
        pipeline: run.pipeline,
        status: final,
      });
    }
    const after = await getPipelineRun(deps.db, runId);
    return after?.run ?? run;
  }
}
