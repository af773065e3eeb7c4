import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo';

interface StepSummary {
  id: string;
  uses: string;
  status: string;
  cached: boolean;
  ms: number | null;
}

/**
 * `npm run demo -- --pipeline --json`: pipelines/demo.yaml on the real services, run twice.
 * The second run is served from the step cache, except the deploy.
 */
describe('npm run demo -- --pipeline --json', () => {
  it('runs the loop as a pipeline, then again from the cache', { timeout: 480_000 }, async () => {
    const { code, stdout, stderr } = await runDemo(['--pipeline']);
    const lines = stdout.trim().split('\n');
    expect(code, `demo failed:\n${stderr}`).toBe(0);
    expect(lines).toHaveLength(1);
    const { ok, pipeline } = JSON.parse(lines[0]!) as {
      ok: boolean;
      pipeline: {
        run: string;
        status: string;
        seconds: number;
        steps: StepSummary[];
        rerun: { run: string; status: string; seconds: number; steps: StepSummary[] };
        version: number | null;
      };
    };
    expect(ok).toBe(true);
    expect(pipeline.status).toBe('succeeded');
    expect(pipeline.version).toBe(1);
    const ids = ['ingest', 'validate', 'train', 'evaluate', 'gate', 'deploy'];
    expect(pipeline.steps.map((s) => [s.id, s.status, s.cached])).toEqual(
      ids.map((id) => [id, 'succeeded', false]),
    );
    expect(pipeline.rerun.run).not.toBe(pipeline.run);
    expect(pipeline.rerun.steps.map((s) => [s.id, s.status, s.cached])).toEqual(
      ids.map((id) => [id, 'succeeded', id !== 'deploy']),
    );
    expect(pipeline.seconds).toBeGreaterThan(0);
    expect(pipeline.rerun.seconds).toBeGreaterThan(0);
  });
});
