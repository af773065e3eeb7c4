import { Worker, type Job } from 'bullmq';
import {
  QUEUE_NAMES,
  pipelineScheduleJobSchema,
  pipelineSchedulerId,
  type Principal,
  type PipelineScheduleJob,
} from '@mlops/contracts';
import { getPipeline, getPipelineRun, listPipelines } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { queueOf } from '../../queues';
import { startPipelineRun } from './runs';

/**
 * Runs started by a pipeline's own `on` section. Who may start them was settled when the
 * definition registered: declaring a trigger needs the scopes running it needs (`train`, and
 * `promote` when a step moves an alias), so the run is started as this principal, named after
 * the trigger so audits show what started it, never as the uploader of a dataset.
 */
function triggerPrincipal(kind: 'schedule' | 'dataset'): Principal {
  return { name: `trigger:${kind}`, tokenId: null, scopes: ['read', 'train', 'promote'] };
}

/**
 * One schedule tick: start the run of the schedule's pipeline, keyed by the tick time. The key
 * makes a redelivered tick (a registry that died mid-start, a stalled job) answer the run the
 * first delivery started instead of starting a second.
 */
export async function runScheduleTick(
  deps: RegistryDeps,
  tick: PipelineScheduleJob,
  at: number,
): Promise<string | null> {
  const stored = await getPipeline(deps.db, tick.pipeline);
  const s = stored?.definition.on?.schedule?.[tick.index];
  if (!stored || !s) {
    // Declared by a version that is no longer the latest: the scheduler outlived it.
    await queueOf(deps, QUEUE_NAMES.pipelineSchedule).removeJobScheduler(
      pipelineSchedulerId(tick.pipeline, tick.index),
    );
    return null;
  }
  const when = new Date(at).toISOString();
  const run = await startPipelineRun(
    deps,
    {
      name: tick.pipeline,
      parameters: s.params,
      noCache: false,
      trigger: {
        kind: 'schedule',
        detail: `${s.cron !== undefined ? `cron ${s.cron}` : `every ${s.every} ms`} at ${when}`,
        key: `schedule:${tick.pipeline}:${tick.index}:${when}`,
      },
    },
    triggerPrincipal('schedule'),
  );
  return run.id;
}

/**
 * The registry consumes the schedulers' jobs itself, not the trainer's pipeline worker: a tick
 * only writes run rows and enqueues the first steps, which is the registry's own work (no
 * token travels, nothing retrains in this process), and ticks keep being recorded while the
 * step consumers are scaled to zero or switched off (`TRAINER_PIPELINES=false`). Every replica
 * runs one; BullMQ hands each tick to one of them and the trigger key covers redeliveries.
 */
export function startScheduleWorker(deps: RegistryDeps): { close(): Promise<void> } {
  // Own connection: a worker blocks on it, and it must outlive nothing the app closes first.
  const connection = deps.redis.duplicate();
  const worker = new Worker<PipelineScheduleJob>(
    QUEUE_NAMES.pipelineSchedule,
    async (job: Job<PipelineScheduleJob>) => {
      const tick = pipelineScheduleJobSchema.parse(job.data);
      // prevMillis is the tick the scheduler planned; timestamp is a fallback for old jobs.
      return runScheduleTick(deps, tick, job.opts.prevMillis ?? job.timestamp);
    },
    { connection, prefix: deps.keys.bullPrefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) =>
    deps.logger.warn({ err, job: job?.id }, 'a pipeline schedule tick could not start its run'),
  );
  worker.on('error', (err) => deps.logger.warn({ err }, 'pipeline schedule worker error'));
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

/**
 * A new version of dataset `name` was stored: start each pipeline whose latest version declares
 * `on.dataset` for it, key `dataset:<name>:<version>:<pipeline>` (one run per version and
 * pipeline). A version produced by a run of pipeline P never triggers P: P's own ingest step
 * would otherwise start P again on every run, forever. Failures are logged: the upload that
 * stored the version succeeded whatever a trigger does.
 */
export async function triggerDatasetPipelines(
  deps: RegistryDeps,
  dataset: { name: string; version: number },
  producedByRun: string | undefined,
): Promise<string[]> {
  const started: string[] = [];
  try {
    const producer = producedByRun
      ? (await getPipelineRun(deps.db, producedByRun))?.run.pipeline
      : undefined;
    for (const p of await listPipelines(deps.db, 10_000)) {
      const t = p.definition.on?.dataset?.find((d) => d.name === dataset.name);
      if (!t) continue;
      if (p.name === producer) {
        deps.logger.info(
          { pipeline: p.name, dataset },
          'dataset version produced by this pipeline: not triggering it again',
        );
        continue;
      }
      try {
        const run = await startPipelineRun(
          deps,
          {
            name: p.name,
            parameters: {
              ...t.params,
              ...(t.versionParam ? { [t.versionParam]: dataset.version } : {}),
            },
            noCache: false,
            trigger: {
              kind: 'dataset',
              detail: `${dataset.name} v${dataset.version}`,
              key: `dataset:${dataset.name}:${dataset.version}:${p.name}`,
            },
          },
          triggerPrincipal('dataset'),
        );
        started.push(run.id);
      } catch (err) {
        deps.logger.warn({ err, pipeline: p.name, dataset }, 'dataset trigger could not start');
      }
    }
  } catch (err) {
    deps.logger.warn({ err, dataset }, 'could not look up the pipelines a dataset triggers');
  }
  return started;
}
