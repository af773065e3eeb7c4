import type {
  ErrorDetail,
  GateCheck,
  GateVerdict,
  Metrics,
  PromotionPolicy,
} from '@mlops/contracts';

export interface GateSide {
  version: number;
  metrics: Metrics;
}

/**
 * MLflow `MetricThreshold` semantics. With greater-is-better the candidate passes when
 * candidate >= threshold, candidate >= baseline + minAbsoluteChange and
 * candidate >= baseline × (1 + minRelativeChange); lower-is-better mirrors each bound
 * (<= threshold, <= baseline − change, <= baseline × (1 − change)). The change checks need a
 * baseline (the version the alias points at now); without one only the threshold applies.
 * A candidate that lacks the metric fails.
 */
export function evaluateGate(
  policy: PromotionPolicy,
  candidate: GateSide,
  baseline: GateSide | null,
): GateVerdict {
  const value = candidate.metrics[policy.metric] ?? null;
  const base = baseline ? (baseline.metrics[policy.metric] ?? null) : null;
  const gib = policy.greaterIsBetter;
  const checks: GateCheck[] = [
    { name: 'metric_present', passed: value !== null, required: null, actual: value },
  ];
  const bound = (name: GateCheck['name'], required: number) =>
    checks.push({
      name,
      required,
      actual: value,
      passed: value !== null && (gib ? value >= required : value <= required),
    });
  if (policy.threshold !== null) bound('threshold', policy.threshold);
  if (base !== null) {
    if (policy.minAbsoluteChange !== null)
      bound(
        'min_absolute_change',
        gib ? base + policy.minAbsoluteChange : base - policy.minAbsoluteChange,
      );
    if (policy.minRelativeChange !== null)
      bound(
        'min_relative_change',
        gib ? base * (1 + policy.minRelativeChange) : base * (1 - policy.minRelativeChange),
      );
  }
  return {
    passed: checks.every((c) => c.passed),
    metric: policy.metric,
    greaterIsBetter: gib,
    candidateVersion: candidate.version,
    candidate: value,
    baselineVersion: baseline?.version ?? null,
    baseline: base,
    checks,
  };
}

/** The verdict as error details: one per check, each with its numbers. */
export function verdictDetails(verdict: GateVerdict): ErrorDetail[] {
  const op = verdict.greaterIsBetter ? '>=' : '<=';
  const summary: ErrorDetail = {
    path: `gate.${verdict.metric}`,
    message: `candidate v${verdict.candidateVersion} ${verdict.metric}=${fmt(verdict.candidate)}; baseline ${
      verdict.baselineVersion === null
        ? 'none'
        : `v${verdict.baselineVersion} ${verdict.metric}=${fmt(verdict.baseline)}`
    }`,
  };
  return [
    summary,
    ...verdict.checks.map((c) => ({
      path: `gate.${c.name}`,
      message:
        c.name === 'metric_present'
          ? `${c.passed ? 'passed' : 'failed'}: candidate ${c.passed ? 'has' : 'lacks'} metric ${verdict.metric}`
          : `${c.passed ? 'passed' : 'failed'}: ${verdict.metric} ${fmt(c.actual)} must be ${op} ${fmt(c.required)}`,
    })),
  ];
}

function fmt(n: number | null): string {
  return n === null ? 'none' : String(Number(n.toPrecision(6)));
}
