import type { RepeatOptions } from 'bullmq';
import {
  AppError,
  QUEUE_NAMES,
  pipelineSchedulerId,
  type PipelineSchedule,
  type PipelineScheduleInfo,
  type StoredPipeline,
} from '@mlops/contracts';
import { listPipelines } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { queueOf } from '../../queues';

function repeatOf(s: PipelineSchedule): Omit<RepeatOptions, 'key'> {
  // UTC unless the schedule names a zone: a cron must not move with the host's zone.
  if (s.cron !== undefined) return { pattern: s.cron, tz: s.timezone ?? 'UTC' };
  return { every: s.every ?? 60_000 };
}

/** `<pipeline>.<index>` → index, for this pipeline's schedulers only; null for others'. */
function indexOf(pipeline: string, schedulerId: string): number | null {
  const m = /^(.+)\.(\d+)$/.exec(schedulerId);
  return m && m[1] === pipeline ? Number(m[2]) : null;
}

/**
 * Makes Redis hold exactly the schedulers the stored version declares: one BullMQ job
 * scheduler per `on.schedule` entry, id `<pipeline>.<index>`. Upserting is idempotent, so every
 * replica (and every re-registration) may do it: BullMQ keeps one next job per scheduler id,
 * which is what makes a tick start one run however many registries run. Schedulers of an
 * earlier version beyond the declared ones are removed.
 */
export async function syncSchedules(deps: RegistryDeps, stored: StoredPipeline): Promise<void> {
  const queue = queueOf(deps, QUEUE_NAMES.pipelineSchedule);
  const name = stored.definition.name;
  const wanted = stored.definition.on?.schedule ?? [];
  for (const [index, s] of wanted.entries()) {
    try {
      await queue.upsertJobScheduler(pipelineSchedulerId(name, index), repeatOf(s), {
        name: 'tick',
        data: { pipeline: name, index },
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 500 },
        },
      });
    } catch (err) {
      if (deps.redis.status !== 'ready') {
        // The version is stored; registering it again syncs its schedulers.
        throw new AppError(
          'UNAVAILABLE',
          `could not store the schedules of ${name}: is Redis reachable? Register it again`,
        );
      }
      // The contract checks cron syntax; this is what BullMQ's parser still refuses.
      const field = s.cron !== undefined ? 'cron' : 'every';
      const path = `definition.on.schedule[${index}].${field}`;
      const message = `BullMQ refused the schedule: ${(err as Error).message}`;
      throw new AppError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
    }
  }
  for (const js of await queue.getJobSchedulers(0, -1)) {
    const index = indexOf(name, js.key);
    if (index !== null && index >= wanted.length) await queue.removeJobScheduler(js.key);
  }
}

/** The latest versions' schedules, soonest next tick first. */
export async function listSchedules(
  deps: RegistryDeps,
  pipeline: string | undefined,
): Promise<PipelineScheduleInfo[]> {
  const pipelines = (await listPipelines(deps.db, 10_000)).filter(
    (p) => !pipeline || p.name === pipeline,
  );
  const next = new Map<string, number | undefined>();
  for (const js of await queueOf(deps, QUEUE_NAMES.pipelineSchedule).getJobSchedulers(0, -1))
    next.set(js.key, js.next);
  const out: PipelineScheduleInfo[] = [];
  for (const p of pipelines) {
    for (const [index, s] of (p.definition.on?.schedule ?? []).entries()) {
      const at = next.get(pipelineSchedulerId(p.name, index));
      out.push({
        pipeline: p.name,
        version: p.version,
        index,
        cron: s.cron ?? null,
        every: s.every ?? null,
        timezone: s.timezone ?? null,
        params: s.params,
        next: at !== undefined ? new Date(at).toISOString() : null,
      });
    }
  }
  return out.sort((a, b) => (a.next ?? '~').localeCompare(b.next ?? '~'));
}
