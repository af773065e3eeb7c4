import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo';

/**
 * The image lap end to end (issue #17's "done when"): lesion photos ingested as an ImageFolder,
 * a CNN trained by the worker, promoted, held-out photos predicted over HTTP as TF Serving b64
 * and as OIP v2 FP32 tensors, and under-exposed photos flagged as image drift by the monitor.
 */
interface ImageSummary {
  ok: boolean;
  dataset: { images: number; classes: number; hash: string };
  run: { id: string; images_per_s: number | null };
  model: { name: string; version: number };
  alias: string;
  holdout: { images: number; accuracy: number };
  serving: { b64_ok: boolean; v2_ok: boolean; p50_ms: number; p99_ms: number };
  drift: { heldout: boolean; shifted: boolean; shifted_columns: string[] };
}

describe('npm run demo -- --images --json', () => {
  it(
    'goes round on images: ImageFolder in, CNN trained, b64 and v2 served, drift flagged',
    { timeout: 600_000 },
    async () => {
      const { code, stdout, stderr } = await runDemo(['--images']);
      const lines = stdout.trim().split('\n');
      expect(code, `demo failed:\n${stderr}`).toBe(0);
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0]!) as ImageSummary;
      expect(summary.ok).toBe(true);
      expect(summary.dataset).toMatchObject({ images: 240, classes: 3 });
      expect(summary.dataset.hash).toMatch(/^[a-f0-9]{64}$/);
      expect(summary.run.id).toEqual(expect.any(String));
      expect(summary.model).toMatchObject({ name: 'lesions', version: 1 });
      expect(summary.alias).toBe('champion');
      expect(summary.holdout.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(summary.serving).toMatchObject({ b64_ok: true, v2_ok: true });
      expect(summary.serving.p50_ms).toBeGreaterThan(0);
      expect(summary.serving.p99_ms).toBeGreaterThanOrEqual(summary.serving.p50_ms);
      expect(summary.drift).toMatchObject({ heldout: false, shifted: true });
      expect(summary.drift.shifted_columns.length).toBeGreaterThan(0);
    },
  );
});
