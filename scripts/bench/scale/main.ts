/**
 * `npm run bench:scale [-- --json] [--only <figure>] [--rows N]`: how the platform's costs grow —
 * alias moves across serving replicas, dataset ingest, drift, many models in one server, and
 * trainers scaling out — each figure beside a baseline measured in the same run, as a ratio (the
 * machine is shared and noisy). Real processes: a registry and the apps a figure needs (tsx),
 * Redis from REDIS_URL (or a throwaway one). Knobs (docs/benchmarks.md): BENCH_SCALE_MOVES,
 * BENCH_SCALE_REPS, BENCH_SCALE_SECONDS, BENCH_SCALE_JOBS, BENCH_SCALE_REGISTRY_HEAP_MB; BENCH_KEEP=1
 * keeps data dirs and service logs.
 */
import os from 'node:os';
import { ensureRedis } from '../../lib/redis';
import { aliasMove } from './alias-move';
import { ingest } from './ingest';
import { drift } from './drift';
import { manyModels } from './many-models';
import { queue } from './queue';
import { parseScaleArgs } from './args';
import type { Figure, ScaleOptions } from './harness';

const FIGURES: Record<string, (opts: ScaleOptions) => Promise<Figure>> = {
  'alias-move': aliasMove,
  ingest,
  drift,
  'many-models': manyModels,
  queue,
};

async function main(): Promise<void> {
  const { json, only, rows } = parseScaleArgs(process.argv.slice(2), Object.keys(FIGURES));
  const redis = await ensureRedis();
  const say = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const out: Record<string, Figure> = {};
  try {
    for (const [name, run] of Object.entries(FIGURES)) {
      if (only !== undefined && name !== only) continue;
      say(`— ${name}`);
      out[name] = await run({ json, rows, redis, say });
    }
  } finally {
    await redis.stop();
  }
  const machine = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    load_avg_1m: Math.round(os.loadavg()[0]! * 10) / 10,
    date: new Date().toISOString(),
  };
  if (json) process.stdout.write(`${JSON.stringify({ ...out, machine })}\n`);
  else say(`machine: ${JSON.stringify(machine)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
