import fs from 'node:fs';
import { Redis } from 'ioredis';
import { IRIS_CSV } from '../../demo/iris';
import { cpuMs, settle } from '../../lib/measure';
import type { RunningService } from '../../lib/services';
import { RunEvents } from '../run-events';
import { ratio, startPlatform, type Figure, type ScaleOptions } from './harness';

/** `BENCH_SCALE_TRAINERS=1` (a comma list) runs only those counts, e.g. to profile one trainer. */
const TRAINERS = (process.env.BENCH_SCALE_TRAINERS ?? '1,2,4').split(',').map(Number);
if (!TRAINERS.every((n) => Number.isInteger(n) && n >= 1 && n <= 16))
  throw new Error(
    `BENCH_SCALE_TRAINERS: whole numbers from 1 to 16, not "${process.env.BENCH_SCALE_TRAINERS}"`,
  );
const JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 12);

/** The pid of the Redis server (when it runs on this machine, its CPU time can be read). */
async function redisPid(url: string): Promise<number | undefined> {
  const redis = new Redis(url);
  try {
    const info = await redis.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1]) || undefined;
  } finally {
    redis.disconnect();
  }
}

/**
 * Queue scale-out: jobs/s with 1, 2 and 4 trainer processes on trivial jobs — 1-epoch mlp-small
 * runs on Iris (150 rows), no ONNX export — `JOBS` enqueued at once, timed from the first
 * `runs.create` to the last `run.completed` event. Baseline: 1 trainer. Beside each, the CPU
 * seconds per job of the registry, Redis and the trainers, which say what saturates.
 */
export async function queue(opts: ScaleOptions): Promise<Figure> {
  const platform = await startPlatform(opts.redis, 'queue');
  const events = await RunEvents.open(opts.redis.url, platform.prefix);
  const trainers: RunningService[] = [];
  try {
    const { client } = platform;
    const dataset = await client.uploadDataset('iris', fs.readFileSync(IRIS_CSV, 'utf8'), {
      format: 'csv',
    });
    const redis = await redisPid(opts.redis.url);
    const spec = {
      modelName: 'bench-queue',
      dataset: { name: 'iris', version: dataset.version },
      task: 'classification' as const,
      target: 'species',
      preset: 'mlp-small' as const,
      hyperparameters: { epochs: 1, batchSize: 32, earlyStoppingPatience: 0 },
    };
    const rows: Record<number, Record<string, number>> = {};
    for (const n of TRAINERS) {
      while (trainers.length < n)
        trainers.push(await platform.start('trainer', { TRAINER_ONNX_EXPORT: 'false' }));
      // One job per trainer first: each trainer's first fit warms its thread and TF.js.
      const warm = await Promise.all(trainers.map(() => client.api.runs.create.mutate(spec)));
      await Promise.all(warm.map((r) => events.ended(r.id, 300_000)));
      const pids = [platform.registry.child.pid, ...trainers.map((t) => t.child.pid)];
      await settle(pids);
      const cpu = () => ({
        registry: cpuMs(platform.registry.child.pid),
        redis: redis ? cpuMs(redis) : Number.NaN,
        trainers: trainers.reduce((s, t) => s + cpuMs(t.child.pid), 0),
      });
      const before = cpu();
      const started = performance.now();
      const runs = await Promise.all(
        Array.from({ length: JOBS }, () => client.api.runs.create.mutate(spec)),
      );
      const ends = await Promise.all(runs.map((r) => events.ended(r.id, 600_000)));
      const seconds = (performance.now() - started) / 1000;
      const failed = ends.filter((e) => e !== 'run.completed').length;
      const after = cpu();
      const perJob = (k: keyof typeof before) => Math.round((after[k] - before[k]) / JOBS);
      rows[n] = {
        jobs_per_s: Math.round((JOBS / seconds) * 100) / 100,
        failed,
        registry_cpu_ms_per_job: perJob('registry'),
        redis_cpu_ms_per_job: perJob('redis'),
        trainer_cpu_ms_per_job: perJob('trainers'),
      };
      opts.say(`  ${n} trainer(s): ${JSON.stringify(rows[n])}`);
    }
    const base = rows[1]?.jobs_per_s ?? Number.NaN;
    const speedup = Object.fromEntries(
      TRAINERS.map((n) => [n, ratio(rows[n]?.jobs_per_s ?? NaN, base)]),
    );
    opts.say(`queue scale-out: ${JSON.stringify(speedup)} × the jobs/s of 1 trainer`);
    return { jobs: JOBS, trainers: rows, speedup_vs_1: speedup };
  } finally {
    await events.close();
    await platform.close();
  }
}
