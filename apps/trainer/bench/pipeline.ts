/**
 * `npm run bench:pipeline [-- --json]`: orchestration overhead of pipelines — a run's wall time
 * over the sum of its steps' own times, for 6 chained `custom/sleep` steps of BENCH_STEP_MS
 * (default 100) each. Real registry (in-process, SQLite) and the real pipeline worker on Redis
 * (REDIS_URL); BENCH_PIPELINE_REPS runs (default 5), median reported.
 */
import { Redis } from 'ioredis';
import { createRegistryClient } from '@mlops/client';
import { createLogger } from '@mlops/config';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import { startTestRegistry } from '@mlops/registry/testing';
import { createPipelineWorker } from '../src/pipelines/worker';

const json = process.argv.includes('--json');
const stepMs = Number(process.env.BENCH_STEP_MS ?? 100);
const reps = Number(process.env.BENCH_PIPELINE_REPS ?? 5);
const TOKEN = `bench-pipeline-${Date.now()}-0123456789`;

const ids = ['s1', 's2', 's3', 's4', 's5', 's6'];
const definition = parsePipelineText(
  JSON.stringify({
    name: 'bench',
    steps: ids.map((id, i) => ({
      id,
      uses: 'custom/sleep',
      cache: false,
      with: { ms: stepMs, ...(i > 0 ? { after: `\${{ steps.${ids[i - 1]}.outputs.ms }}` } : {}) },
    })),
  }),
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const registry = await startTestRegistry({ token: TOKEN, name: 'bench-pipeline' });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});
const client = createRegistryClient({ url: registry.url, token: TOKEN });
const worker = createPipelineWorker({
  connection: redis,
  redisPrefix: registry.prefix,
  client,
  logger: createLogger('bench-pipeline', 'silent'),
  dataDir: registry.dir,
});
try {
  await client.api.pipelines.register.mutate({ definition });
  const ratios: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const started = performance.now();
    const { id } = await client.api.pipelines.run.mutate({ name: 'bench' });
    let run: PipelineRun;
    for (;;) {
      run = await client.api.pipelines.getRun.query({ id });
      if (run.status !== 'queued' && run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const wall = performance.now() - started;
    if (run.status !== 'succeeded') throw new Error(`bench run ${run.status}: ${run.error ?? ''}`);
    const own = run.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
    ratios.push(wall / own);
    walls.push(wall);
  }
  const result = {
    steps: ids.length,
    step_ms: stepMs,
    reps,
    wall_ms_median: Math.round(median(walls)),
    overhead_ratio_median: Math.round(median(ratios) * 100) / 100,
    overhead_ms_per_step: Math.round((median(walls) - ids.length * stepMs) / ids.length),
  };
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stdout.write(
      `6-step pipeline of ${stepMs} ms steps: ${result.wall_ms_median} ms wall (median of ${reps}), ` +
        `run time / sum of step times ${result.overhead_ratio_median}, ` +
        `about ${result.overhead_ms_per_step} ms of orchestration per step\n`,
    );
} finally {
  await worker.close();
  await redis.quit();
  await registry.close();
}
