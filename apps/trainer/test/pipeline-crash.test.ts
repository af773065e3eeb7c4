import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import { REDIS_URL, TOKEN, startRegistry, type Harness } from './registry-harness';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface TrainerProcess {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real trainer (src/server.ts) as its own OS process, logging JSON lines we collect. */
function startTrainer(h: Harness): TrainerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: appDir,
    env: {
      ...process.env,
      REGISTRY_URL: h.url,
      MLOPS_TOKEN: TOKEN,
      REDIS_URL,
      MLOPS_REDIS_PREFIX: h.prefix,
      MLOPS_DATA_DIR: h.dir,
      TRAINER_PORT: '0',
      TRAINER_BACKEND: 'cpu',
      // Short lock so a killed worker's job is released quickly; the fit renews it meanwhile.
      TRAINER_LOCK_MS: '2000',
      TRAINER_STALLED_INTERVAL_MS: '1000',
      TRAINER_CHECKPOINT_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, exited };
}

let h: Harness;
const started: TrainerProcess[] = [];

beforeAll(async () => {
  h = await startRegistry();
});

afterAll(async () => {
  for (const p of started)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await h?.close();
});

const definition = parsePipelineText(`
name: crash
steps:
  - { id: before, uses: custom/echo, with: { n: 1 } }
  - { id: slow, uses: custom/sleep, with: { ms: 4000, n: "\${{ steps.before.outputs.n }}" } }
  - { id: after, uses: custom/echo, with: { n: "\${{ steps.slow.outputs.n }}" } }
`);

function waitForRun(id: string, check: (run: PipelineRun) => boolean): Promise<PipelineRun> {
  return vi.waitFor(
    async () => {
      const run = await h.client.api.pipelines.getRun.query({ id });
      if (!check(run))
        throw new Error(`run ${id}: ${JSON.stringify(run.steps.map((s) => s.status))}`);
      return run;
    },
    { timeout: 120_000, interval: 100 },
  );
}

describe('a worker killed in the middle of a pipeline step', () => {
  it('the run completes after a restart, each step completed exactly once', async () => {
    await h.client.api.pipelines.register.mutate({ definition });
    const first = startTrainer(h);
    started.push(first);
    const { id } = await h.client.api.pipelines.run.mutate({ name: 'crash' });
    await waitForRun(id, (r) => r.steps[1]?.status === 'running');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startTrainer(h);
    started.push(second);
    const run = await waitForRun(id, (r) => r.status !== 'running' && r.status !== 'queued');
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['before', 'succeeded', 1],
      // Started by the killed worker, run again by the next one: completed once.
      ['slow', 'succeeded', 2],
      ['after', 'succeeded', 1],
    ]);
    expect(run.steps[2]?.outputs).toEqual({ n: 1 });
    const events = await h.client.api.events.recent.query({ limit: 500 });
    const completions = events.filter(
      (e) => e.type === 'pipeline.step' && e.runId === id && e.status === 'succeeded',
    );
    expect(completions.map((e) => (e.type === 'pipeline.step' ? e.stepId : '')).sort()).toEqual([
      'after',
      'before',
      'slow',
    ]);
  }, 240_000);
});
