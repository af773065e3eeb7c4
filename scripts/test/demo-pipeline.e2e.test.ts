import { describe, expect, it } from 'vitest';
import type { PipelineDemoSummary } from '../demo/pipeline-lap';
import { runDemo } from './run-demo';

/**
 * `npm run demo -- --pipeline --json`: pipelines/demo.yaml on the real services, run twice.
 * The second run is served from the step cache, except the deploy. Then drift on shifted traffic
 * starts pipelines/iris-retrain.yaml through the monitor's trigger, once in its cooldown window.
 */
describe('npm run demo -- --pipeline --json', () => {
  it('runs the loop as a pipeline, then again from the cache', { timeout: 480_000 }, async () => {
    const { code, stdout, stderr } = await runDemo(['--pipeline']);
    const lines = stdout.trim().split('\n');
    expect(code, `demo failed:\n${stderr}`).toBe(0);
    expect(lines).toHaveLength(1);
    const { ok, pipeline } = JSON.parse(lines[0]!) as PipelineDemoSummary & { ok: boolean };
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

    // The drift lap: one run per window however many alerts, keyed by model and window.
    const { drift } = pipeline;
    expect(drift.status).toBe('succeeded');
    expect(drift.trigger.kind).toBe('drift');
    expect(drift.trigger.key).toMatch(/^drift:iris:600000:\d+$/);
    expect(drift.alerts).toBeGreaterThanOrEqual(2);
    expect(drift.runs_in_window).toBe(1);
    expect(drift.retrainings).toBe(1);
    expect(drift.run).not.toBe(pipeline.run);
    expect(drift.version).toBe(2);
    // It trained on the dataset plus the labels sent for the shifted traffic, as a new version.
    expect(drift.dataset).toEqual({ name: 'iris', version: 2 });
    expect(drift.feedback_rows).toBe(120);
    // The gate (accuracy >= 0.8 on champion) decides the deploy.
    expect(drift.gate.metric).toBe('accuracy');
    expect(drift.gate.baseline).toBeGreaterThan(0);
    expect(drift.promoted).toBe(drift.gate.passed);
    expect(drift.gate.passed).toBe((drift.gate.candidate ?? 0) >= 0.8);
  });
});
