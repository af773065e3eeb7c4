import { Queue } from 'bullmq';
import type {
  EvaluateJobPayload,
  PipelineJobPayload,
  PipelineScheduleJob,
  QUEUE_NAMES,
} from '@mlops/contracts';
import type { RegistryDeps } from './deps';

/** The payload of each queue the registry adds jobs to besides `train` (deps.queue). */
interface Payloads {
  [QUEUE_NAMES.evaluate]: EvaluateJobPayload;
  [QUEUE_NAMES.pipeline]: PipelineJobPayload;
  [QUEUE_NAMES.pipelineSchedule]: PipelineScheduleJob;
}

// One queue object per registry and queue name, on the registry's shared Redis connection
// (closing a queue leaves that connection open: closeDeps ends it after closeQueues).
const opened = new WeakMap<RegistryDeps, Map<string, Queue>>();

/** The registry's queue object of `name`, made on first use. */
export function queueOf<N extends keyof Payloads>(deps: RegistryDeps, name: N): Queue<Payloads[N]> {
  let byName = opened.get(deps);
  if (!byName) {
    byName = new Map();
    opened.set(deps, byName);
  }
  let queue = byName.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: deps.redis, prefix: deps.keys.bullPrefix });
    byName.set(name, queue);
  }
  return queue as Queue<Payloads[N]>;
}

/** Closes the queue objects queueOf made for this registry; a later call makes them anew. */
export async function closeQueues(deps: RegistryDeps): Promise<void> {
  const byName = opened.get(deps);
  opened.delete(deps);
  for (const queue of byName?.values() ?? []) await queue.close();
}
