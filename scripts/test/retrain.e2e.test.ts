import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo';

/**
 * The loop twice, without a human: the real demo with `--retrain`, every service a real process
 * on real Redis and SQLite. Lap one trains and serves v1; lap two shifts the traffic, sends its
 * ground truth, and the monitor must see drift and decay, retrain, pass the gate, move the alias,
 * and serving must answer with the new version.
 */
interface Summary {
  ok: boolean;
  model: { name: string; version: number };
  drift: { heldout: boolean; shifted: boolean };
  retrain: {
    version: number | null;
    promoted: boolean;
    from_version: number;
    trigger: string;
    run_id: string | null;
    dataset_version: number | null;
    feedback_rows: number;
    drift: boolean;
    live_accuracy_before: number | null;
    accuracy_after: number | null;
    served_version_after: number | null;
  };
}

describe('npm run demo -- --retrain --json', () => {
  it(
    'closes the loop: drift and decay → retrain → gate → alias → serving',
    { timeout: 420_000 },
    async () => {
      const { code, stdout, stderr } = await runDemo(['--retrain']);
      expect(code, `demo failed:\n${stderr}`).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0]!) as Summary;
      expect(summary.ok).toBe(true);
      // Lap one is unchanged.
      expect(summary.model).toMatchObject({ name: 'iris', version: 1 });
      expect(summary.drift).toMatchObject({ heldout: false, shifted: true });
      // Lap two.
      const r = summary.retrain;
      expect(r.from_version).toBe(1);
      expect(r.drift).toBe(true);
      expect(r.live_accuracy_before).toBeLessThan(0.8);
      expect(r.trigger).toBe('quality');
      expect(r.run_id).toEqual(expect.any(String));
      expect(r.dataset_version).toBe(2); // the ingested rows plus the labeled feedback
      expect(r.feedback_rows).toBe(120);
      expect(r.version).toBe(2);
      expect(r.promoted).toBe(true);
      expect(r.served_version_after).toBe(2);
      expect(r.accuracy_after).toBeGreaterThanOrEqual(0.8);
    },
  );
});
