import type {
  ErrorDetail,
  GateCheck,
  GateVerdict,
  Metrics,
  MetricSource,
  ModelVersion,
  PlatformMetrics,
  PromotionPolicy,
  VersionModelTests,
} from '@mlops/contracts';
import { isModelTestCheck, modelTestChecks, modelTestsSummary } from './gate-tests';

/** What the gate knows of one version: what its client claimed and what the platform measured. */
export interface GateSide {
  version: number;
  claimed: Metrics;
  platform: PlatformMetrics | null;
  /** The platform's model tests stored at registration (null: none). */
  tests?: VersionModelTests | null;
}

export function gateSideOf(
  v: Pick<ModelVersion, 'version' | 'manifest' | 'platformMetrics' | 'modelTests'>,
): GateSide {
  return {
    version: v.version,
    claimed: v.manifest.metrics,
    platform: v.platformMetrics,
    tests: v.modelTests,
  };
}

/** Where a version's value of `metric` comes from: platform metrics first, a claim only if allowed. */
function read(
  side: GateSide,
  metric: string,
  allowClaimed: boolean,
): { value: number | null; source: MetricSource } {
  if (side.platform) {
    const value = side.platform.metrics[metric];
    return value === undefined ? { value: null, source: 'none' } : { value, source: 'platform' };
  }
  const claimed = side.claimed[metric];
  if (allowClaimed && claimed !== undefined) return { value: claimed, source: 'claimed' };
  return { value: null, source: 'none' };
}

export function describeSource(platform: PlatformMetrics | null): string | null {
  if (!platform) return null;
  const s = platform.source;
  return s.kind === 'run'
    ? `training run ${s.runId} (held-out split)`
    : `evaluation ${s.evaluationId} on ${s.dataset.name} v${s.dataset.version}`;
}

/**
 * MLflow `MetricThreshold` semantics. With greater-is-better the candidate passes when
 * candidate >= threshold, candidate >= baseline + minAbsoluteChange and
 * candidate >= baseline × (1 + minRelativeChange); lower-is-better mirrors each bound
 * (<= threshold, <= baseline − change, <= baseline × (1 − change)). The change checks need a
 * baseline (the version the alias points at now); without one only the threshold applies.
 * A candidate that lacks the metric fails.
 *
 * Which numbers: a version's platform-computed metrics (training run or re-evaluation) when it
 * has them. A candidate without them fails `platform_metrics` when the policy requires them;
 * otherwise it is judged on its claim, and the verdict says `source: "claimed"`. A baseline
 * without platform metrics is read from its claim (labelled): it only raises the bar.
 */
export function evaluateGate(
  policy: PromotionPolicy,
  candidate: GateSide,
  baseline: GateSide | null,
): GateVerdict {
  const metric = policy.metric;
  const cand = read(candidate, metric, !policy.requirePlatformMetrics);
  const base = baseline ? read(baseline, metric, true) : { value: null, source: 'none' as const };
  const value = cand.value;
  const gib = policy.greaterIsBetter;
  const checks: GateCheck[] = [];
  if (policy.requirePlatformMetrics) {
    checks.push({
      name: 'platform_metrics',
      passed: candidate.platform !== null,
      required: null,
      actual: null,
    });
  }
  checks.push({ name: 'metric_present', passed: value !== null, required: null, actual: value });
  const bound = (name: GateCheck['name'], required: number) =>
    checks.push({
      name,
      required,
      actual: value,
      passed: value !== null && (gib ? value >= required : value <= required),
    });
  if (policy.threshold !== null) bound('threshold', policy.threshold);
  if (base.value !== null) {
    if (policy.minAbsoluteChange !== null)
      bound(
        'min_absolute_change',
        gib ? base.value + policy.minAbsoluteChange : base.value - policy.minAbsoluteChange,
      );
    if (policy.minRelativeChange !== null)
      bound(
        'min_relative_change',
        gib
          ? base.value * (1 + policy.minRelativeChange)
          : base.value * (1 - policy.minRelativeChange),
      );
  }
  checks.push(...modelTestChecks(policy, candidate.tests ?? null));
  return {
    passed: checks.every((c) => c.passed),
    metric,
    greaterIsBetter: gib,
    candidateVersion: candidate.version,
    candidate: value,
    baselineVersion: baseline?.version ?? null,
    baseline: base.value,
    source: cand.source,
    baselineSource: base.source,
    claimed: candidate.claimed[metric] ?? null,
    platformSource: describeSource(candidate.platform),
    evaluationDataset: policy.evaluationDataset,
    checks,
  };
}

/** One line for the refusal message: which number was read, from where, beside the claim. */
export function verdictSummary(verdict: GateVerdict): string {
  const tests = modelTestsSummary(verdict);
  if (tests !== null) return tests;
  const m = verdict.metric;
  const claim = `claimed ${m} ${fmt(verdict.claimed)}`;
  if (verdict.source === 'platform')
    return `platform ${m} ${fmt(verdict.candidate)} (from ${verdict.platformSource ?? 'the platform'}; ${claim} is not used)`;
  if (verdict.source === 'claimed')
    return `${claim} (no platform metrics; the policy allows claims)`;
  if (verdict.platformSource !== null)
    return `platform metrics (from ${verdict.platformSource}) lack ${m}; ${claim} is not trusted`;
  const pinned = verdict.evaluationDataset;
  if (pinned)
    return `no platform ${m} on the policy's benchmark ${pinned.name} v${pinned.version}: ${claim} is not trusted; evaluate it there (\`mlops evaluate <model> ${verdict.candidateVersion} --dataset ${pinned.name}:${pinned.version}\`)`;
  return `no platform ${m}: ${claim} is not trusted; the policy requires platform-computed metrics (train it on the platform, or run \`mlops evaluate\` on a registered dataset)`;
}

/** The verdict as error details: one per check, each with its numbers. */
export function verdictDetails(verdict: GateVerdict): ErrorDetail[] {
  const op = verdict.greaterIsBetter ? '>=' : '<=';
  const summary: ErrorDetail = {
    path: `gate.${verdict.metric}`,
    message: `candidate v${verdict.candidateVersion} ${verdict.metric}=${fmt(verdict.candidate)} (${sourceNote(verdict)}); baseline ${
      verdict.baselineVersion === null
        ? 'none'
        : `v${verdict.baselineVersion} ${verdict.metric}=${fmt(verdict.baseline)} (${verdict.baselineSource})`
    }`,
  };
  return [
    summary,
    ...verdict.checks.map((c) => ({
      path: `gate.${c.name}`,
      message: checkMessage(verdict, c, op),
    })),
  ];
}

function checkMessage(verdict: GateVerdict, c: GateCheck, op: string): string {
  const status = c.passed ? 'passed' : 'failed';
  if (isModelTestCheck(c))
    return `${status}: ${c.name} ${fmt(c.actual)} (bound ${fmt(c.required)}): ${c.detail ?? ''}`;
  if (c.name === 'platform_metrics')
    return c.passed
      ? `passed: platform metrics from ${verdict.platformSource ?? 'the platform'}`
      : `failed: v${verdict.candidateVersion} has no platform-computed metrics, only claimed ones`;
  if (c.name === 'metric_present')
    return `${status}: candidate ${c.passed ? 'has' : 'lacks'} ${verdict.source === 'none' ? '' : `${verdict.source} `}metric ${verdict.metric}`;
  return `${status}: ${verdict.metric} ${fmt(c.actual)} must be ${op} ${fmt(c.required)}`;
}

function sourceNote(verdict: GateVerdict): string {
  if (verdict.source === 'claimed') return 'claimed';
  const claim = `claimed ${fmt(verdict.claimed)}`;
  return verdict.source === 'platform' ? `platform; ${claim}` : `no platform value; ${claim}`;
}

function fmt(n: number | null): string {
  return n === null ? 'none' : String(Number(n.toPrecision(6)));
}
