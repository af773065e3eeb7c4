import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo';

/**
 * The end-to-end test of the loop: the real demo, as a user runs it, with every service as a
 * real process on real Redis and SQLite. Its last stdout line is the JSON summary.
 */
describe('npm run demo -- --json', () => {
  it(
    'goes all the way round: ingest, train, promote, serve, monitor',
    { timeout: 300_000 },
    async () => {
      const { code, stdout, stderr } = await runDemo([]);
      const lines = stdout.trim().split('\n');
      expect(code, `demo failed:\n${stderr}`).toBe(0);
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0]!) as Record<string, Record<string, unknown>> & {
        alias: string;
        ok: boolean;
      };
      expect(summary.ok).toBe(true);
      expect(summary.dataset!.hash).toMatch(/^[a-f0-9]{64}$/);
      expect(summary.run!.id).toEqual(expect.any(String));
      expect(summary.model).toMatchObject({ name: 'iris', version: 1 });
      expect(summary.alias).toBe('champion');
      expect(summary.holdout!.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(summary.serving!.predictions).toBe(90);
      // The trained MLP carries a verified ONNX export, which SERVING_RUNTIME=auto serves on
      // ONNX Runtime: the held-out accuracy above is ONNX Runtime's.
      expect(summary.serving!.runtime).toBe('onnx');
      expect(summary.serving!.p50_ms).toBeGreaterThan(0);
      expect(summary.serving!.p99_ms).toBeGreaterThanOrEqual(summary.serving!.p50_ms as number);
      expect(summary.drift).toMatchObject({ heldout: false, shifted: true });
      // The platform's model tests ran at registration, the declared behavioural ones included.
      expect(summary.tests!.passed).toBeGreaterThanOrEqual(8);
      expect(summary.tests!.failed).toEqual(expect.any(Number));
      expect(summary.baseline!.metric).toBe('accuracy');
      expect(['majority', 'logistic']).toContain(summary.baseline!.against);
      expect(summary.baseline!.lift).toEqual(expect.any(Number));
      // The shifted rows, ingested as a new version, are out of the first version's ranges.
      expect(summary.validation).toMatchObject({ dataset: 'iris-shifted', version: 2, against: 1 });
      expect(summary.validation!.anomalies).toEqual(
        expect.arrayContaining([
          { kind: 'out_of_range', severity: 'warning', column: 'petal_length' },
          { kind: 'out_of_range', severity: 'warning', column: 'sepal_length' },
        ]),
      );
    },
  );
});
