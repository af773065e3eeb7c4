/**
 * `npx tsx apps/trainer/bench/thread-start.ts [reps] [backend]`: how long a training thread
 * takes from spawn to `ready` (module graph, TF.js backend init, and — unless skipped — the
 * warm-up fit), with TRAINER_WARM_UP on and off. This is the start-up a job would wait for
 * if its thread were started when the job arrives — as BullMQ's sandboxed processor starts
 * a child on the first job — instead of ahead of it by the worker's pool (src/thread/pool.ts).
 * Threads run one at a time, each terminated before the next. Run from source, each thread also
 * registers tsx (src/thread/entry.ts); a built image's .js entry skips that.
 * Prints one JSON line: median and each rep, in milliseconds.
 */
import type { BackendRequest } from '@mlops/ml/backend';
import { TrainingThread } from '../src/thread/training-thread';

const [repsArg = '5', backendArg = 'auto'] = process.argv.slice(2);
const reps = Number(repsArg);
const backend = backendArg as BackendRequest;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function startOnce(): Promise<{ ms: number; backend: string }> {
  const began = performance.now();
  const thread = new TrainingThread(backend);
  const ready = await thread.started;
  const ms = performance.now() - began;
  await thread.terminate();
  if (!ready) throw new Error('training thread died before it was ready');
  return { ms, backend: ready };
}

async function series(warmUp: boolean): Promise<{ medianMs: number; ms: number[] }> {
  // A thread's env is a copy of the process's at spawn time.
  process.env.TRAINER_WARM_UP = warmUp ? 'true' : 'false';
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) ms.push(Math.round((await startOnce()).ms));
  return { medianMs: median(ms), ms };
}

const { backend: resolved } = await startOnce(); // untimed: fills the OS file cache
const noWarmUp = await series(false);
const withWarmUp = await series(true);
process.stdout.write(`${JSON.stringify({ backend: resolved, reps, noWarmUp, withWarmUp })}\n`);
