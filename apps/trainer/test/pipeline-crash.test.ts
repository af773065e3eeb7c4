import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import { startRegistry, type Harness } from './registry-harness';
import { killAll, startTrainer, type TrainerProcess } from './trainer-process';

let h: Harness;
const started: TrainerProcess[] = [];

beforeAll(async () => {
  h = await startRegistry();
});

afterAll(async () => {
  await killAll(started);
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
