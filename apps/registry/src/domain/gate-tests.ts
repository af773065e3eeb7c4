import {
  testCounts,
  type GateCheck,
  type GateVerdict,
  type PromotionPolicy,
  type VersionModelTests,
} from '@mlops/contracts';

/**
 * The gate's model-test checks: read from the tests the platform stored on the candidate at
 * registration (never from anything a client sent), so a version cannot pass on claimed numbers.
 */
export function modelTestChecks(
  policy: Pick<PromotionPolicy, 'requireModelTests' | 'minBaselineLift'>,
  tests: VersionModelTests | null,
): GateCheck[] {
  const checks: GateCheck[] = [];
  if (policy.requireModelTests) {
    if (!tests) {
      checks.push({
        name: 'model_tests',
        passed: false,
        required: 0,
        actual: null,
        detail: 'the version has no platform model tests (train it on the platform)',
      });
    } else {
      const failed = tests.results.filter((r) => !r.passed);
      checks.push({
        name: 'model_tests',
        passed: failed.length === 0,
        required: 0,
        actual: failed.length,
        detail:
          failed.length === 0
            ? `all ${testCounts(tests).passed} tests passed`
            : `failed: ${failed
                .slice(0, 10)
                .map((r) => `${r.name} (${r.detail})`)
                .join('; ')}`.slice(0, 2_000),
      });
    }
  }
  if (policy.minBaselineLift !== null) {
    const lift = tests?.baselineLift ?? null;
    checks.push({
      name: 'min_baseline_lift',
      passed: lift !== null && lift >= policy.minBaselineLift,
      required: policy.minBaselineLift,
      actual: lift,
      detail: tests
        ? `lift over the strongest baseline (${strongest(tests)})`
        : 'the version has no platform model tests, hence no baseline lift',
    });
  }
  return checks;
}

function strongest(tests: VersionModelTests): string {
  const best = [...tests.baselines].sort((a, b) => a.lift - b.lift)[0];
  return best ? `${best.name}, ${best.metric} ${best.value.toFixed(4)}` : 'none computed';
}

/** The refusal's one line when only model-test checks failed (the metric checks passed). */
export function modelTestsSummary(verdict: GateVerdict): string | null {
  const failed = verdict.checks.filter((c) => !c.passed);
  if (failed.length === 0 || failed.some((c) => !isModelTestCheck(c))) return null;
  return failed.map((c) => `${c.name} ${c.detail ?? ''}`.trim()).join('; ');
}

export function isModelTestCheck(c: GateCheck): boolean {
  return c.name === 'model_tests' || c.name === 'min_baseline_lift';
}
