import { testCounts, type ModelVersion } from '@mlops/contracts';

/** The columns `mlops versions` shows of a version's model tests (null: it has none). */
export function modelTestColumns(v: Pick<ModelVersion, 'modelTests'>): {
  tests: string | null;
  lift: string | null;
  ece: string | null;
  worstSlice: string | null;
} {
  const t = v.modelTests;
  if (!t) return { tests: null, lift: null, ece: null, worstSlice: null };
  const { passed, failed } = testCounts(t);
  const failedNames = t.results.filter((r) => !r.passed).map((r) => r.name);
  const strongest = [...t.baselines].sort((a, b) => a.lift - b.lift)[0];
  const worst = t.slices
    .filter((s) => s.score !== null)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))[0];
  return {
    tests:
      failed === 0
        ? `${passed} passed`
        : `${passed} passed, ${failed} failed (${failedNames.slice(0, 3).join(', ')}${failedNames.length > 3 ? ', …' : ''})`,
    lift:
      t.baselineLift === null || !strongest
        ? null
        : `${signed(t.baselineLift)} vs ${strongest.name}`,
    ece: t.calibration ? t.calibration.ece.toFixed(3) : null,
    worstSlice: worst
      ? `${worst.feature}=${worst.slice} ${(worst.score ?? 0).toFixed(3)} (${worst.rows} rows)${worst.flagged ? ' !' : ''}`
      : null,
  };
}

function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;
}
