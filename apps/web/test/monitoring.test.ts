import { describe, expect, it } from 'vitest';
import type { ColumnProfile, ServingStats } from '@mlops/contracts';
import { compareDistribution } from '../src/lib/live-histogram';
import { meanBatchSize, ratesBetween } from '../src/lib/serving-rates';

const latency = { p50: 1, p99: 2, count: 1 };
function stats(at: string, requests: number, rows: number, batches: number): ServingStats {
  const counters = { requests, failures: 0, rows, batches, queueMs: latency, computeMs: latency };
  return {
    model: 'iris',
    alias: 'champion',
    servedVersion: 1,
    routes: [{ alias: 'champion', weight: 1, share: 1, requests: 0 }],
    canary: false,
    shadow: null,
    total: counters,
    versions: [{ version: 1, ...counters }],
    computedAt: at,
  };
}

describe('serving rates between polls', () => {
  it('divides counter differences by the time between snapshots', () => {
    const a = stats('2026-01-01T00:00:00.000Z', 10, 100, 10);
    const b = stats('2026-01-01T00:00:02.000Z', 30, 500, 20);
    expect(ratesBetween(a, b)).toEqual({
      requestsPerSecond: 10,
      rowsPerSecond: 200,
      batchSize: 40,
    });
    expect(meanBatchSize(b)).toBe(25);
  });
  it('gives nothing on the first poll, with no time between, or after a restart', () => {
    const b = stats('2026-01-01T00:00:02.000Z', 30, 500, 20);
    expect(ratesBetween(null, b)).toBeNull();
    expect(ratesBetween(b, b)).toBeNull();
    expect(ratesBetween(b, stats('2026-01-01T00:00:04.000Z', 1, 1, 1))).toBeNull();
  });
});

describe('live vs training distribution', () => {
  it('bins live numbers on the training edges, outliers in the outer bins', () => {
    const profile: ColumnProfile = {
      name: 'x',
      type: 'numeric',
      count: 4,
      missing: 0,
      min: 0,
      max: 2,
      mean: 1,
      std: 1,
      distinct: 4,
      histogram: { edges: [0, 1, 2], counts: [3, 1] },
      sample: [],
    };
    expect(compareDistribution(profile, [5, 1.5, -3, null, 0.2])).toEqual([
      { label: '0–1', training: 0.75, live: 0.5 },
      { label: '1–2', training: 0.25, live: 0.5 },
    ]);
  });
  it('compares category shares and keeps categories unseen in training', () => {
    const profile: ColumnProfile = {
      name: 'c',
      type: 'categorical',
      count: 4,
      missing: 0,
      distinct: 2,
      frequencies: { a: 3, b: 1 },
      otherCount: 0,
      sample: [],
    };
    expect(compareDistribution(profile, ['b', 'z', 'z', 'b'])).toEqual([
      { label: 'a', training: 0.75, live: 0 },
      { label: 'b', training: 0.25, live: 0.5 },
      { label: 'z', training: 0, live: 0.5 },
    ]);
  });
});
