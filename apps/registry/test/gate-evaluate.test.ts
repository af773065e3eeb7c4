/**
 * evaluateGate as a pure function: which of a version's metrics the promotion gate reads (the
 * platform's measurement over the claim) and how it compares with the baseline.
 */
import { describe, expect, it } from 'vitest';
import { storedPromotionPolicySchema, type PlatformMetrics } from '@mlops/contracts';
import { evaluateGate, type GateSide } from '../src/domain/gate';

/** A policy as stored, with MLflow semantics and the platform-metrics requirement. */
const policy = (over: Partial<ReturnType<typeof storedPromotionPolicySchema.parse>> = {}) =>
  storedPromotionPolicySchema.parse({
    model: 'm',
    alias: 'champion',
    metric: 'accuracy',
    greaterIsBetter: true,
    threshold: 0.99,
    minAbsoluteChange: null,
    minRelativeChange: null,
    requirePlatformMetrics: true,
    updatedBy: 'admin',
    updatedAt: new Date(0).toISOString(),
    ...over,
  });

const platform = (accuracy: number): PlatformMetrics => ({
  metrics: { accuracy },
  source: { kind: 'run', runId: 'run-00000001' },
  recordedAt: new Date(0).toISOString(),
  recordedBy: 'service:trainer',
});
const side = (version: number, claimed: number, measured: number | null): GateSide => ({
  version,
  claimed: { accuracy: claimed },
  platform: measured === null ? null : platform(measured),
});

describe('evaluateGate: which metrics it reads', () => {
  it('refuses a candidate with only claimed metrics when the policy requires platform ones', () => {
    const v = evaluateGate(policy(), side(1, 0.999, null), null);
    expect(v).toMatchObject({ passed: false, source: 'none', candidate: null, claimed: 0.999 });
    expect(v.checks.find((c) => c.name === 'platform_metrics')?.passed).toBe(false);
  });

  it('reads the platform value, never the claim, when the version has one', () => {
    const low = evaluateGate(policy(), side(1, 0.999, 0.6), null);
    expect(low).toMatchObject({
      passed: false,
      source: 'platform',
      candidate: 0.6,
      claimed: 0.999,
    });
    expect(low.platformSource).toContain('run-00000001');
    // Even a policy that allows claims prefers the measurement.
    const lax = evaluateGate(policy({ requirePlatformMetrics: false }), side(1, 0.999, 0.6), null);
    expect(lax).toMatchObject({ passed: false, source: 'platform', candidate: 0.6 });
    expect(evaluateGate(policy(), side(1, 0.2, 0.995), null)).toMatchObject({
      passed: true,
      source: 'platform',
      candidate: 0.995,
    });
  });

  it('falls back to the claim only when allowed, and says so', () => {
    const v = evaluateGate(policy({ requirePlatformMetrics: false }), side(1, 0.999, null), null);
    expect(v).toMatchObject({ passed: true, source: 'claimed', candidate: 0.999 });
    expect(v.checks.map((c) => c.name)).not.toContain('platform_metrics');
  });

  it('compares with the baseline platform value, or its labelled claim', () => {
    const p = policy({ threshold: null, minAbsoluteChange: 0.05 });
    const measured = evaluateGate(p, side(2, 0.99, 0.9), side(1, 0.99, 0.8));
    expect(measured).toMatchObject({ passed: true, baseline: 0.8, baselineSource: 'platform' });
    const claimed = evaluateGate(p, side(2, 0.99, 0.9), side(1, 0.88, null));
    expect(claimed).toMatchObject({ passed: false, baseline: 0.88, baselineSource: 'claimed' });
  });

  it('fails when the platform metrics lack the policy metric, whatever the claim', () => {
    const v = evaluateGate(policy({ metric: 'macro_f1' }), side(1, 0.999, 0.999), null);
    expect(v).toMatchObject({ passed: false, source: 'none' });
  });
});
