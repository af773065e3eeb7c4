import type { Run } from '@mlops/contracts';
import { listChildRuns } from '@mlops/storage';
import type { RegistryDeps } from '../deps';
import { publishEvent } from './events';
import { dropCheckpoint, withoutCheckpoint } from './run-progress';
import { getRunOrThrow, transition } from './runs';

/**
 * queued/running → cancelled. A waiting job is removed from the queue; a running one learns of
 * the cancellation from the `run.cancelled` event (and from `progress` being refused) and stops
 * within one batch. The run's checkpoint is deleted: a cancelled run is never resumed.
 */
export async function cancelRun(deps: RegistryDeps, id: string, reason?: string): Promise<Run> {
  const before = await getRunOrThrow(deps, id);
  const run = await transition(
    deps,
    id,
    ['queued', 'running'],
    {
      status: 'cancelled',
      error: reason ? `cancelled: ${reason}` : null,
      finishedAt: new Date().toISOString(),
      progress: withoutCheckpoint(before.progress),
    },
    'cancel',
  );
  try {
    // Fails harmlessly (the job is locked) while a worker runs it: that worker stops on the event.
    const job = await deps.queue.getJob(id);
    if (job && !(await job.isActive())) await job.remove();
  } catch (err) {
    deps.logger.warn({ err, runId: id }, 'could not remove the cancelled run from the queue');
  }
  const checkpoint = before.progress?.checkpoint;
  if (checkpoint) await dropCheckpoint(deps, id, checkpoint.sha256);
  await publishEvent(deps, { type: 'run.cancelled', runId: id, model: run.modelName });
  // Cancelling a sweep cancels its unfinished trials (their workers stop on the event; queued
  // trial jobs find their run cancelled and skip).
  if (before.spec.sweep && !before.parentRunId) {
    for (const trial of await listChildRuns(deps.db, id)) {
      if (trial.status !== 'queued' && trial.status !== 'running') continue;
      await cancelRun(deps, trial.id, reason ?? 'the sweep was cancelled').catch((err: unknown) =>
        deps.logger.warn({ err, runId: trial.id }, 'could not cancel a sweep trial'),
      );
    }
  }
  return run;
}
