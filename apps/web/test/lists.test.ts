import { describe, expect, it } from 'vitest';
import type { DriftReport, PlatformEvent } from '@mlops/contracts';
import { lossCurve } from '../src/lib/curve';
import { appendReport, EMPTY_TREND } from '../src/lib/drift-history';
import { paginate } from '../src/lib/paginate';
import { pageFromHash } from '../src/lib/route';

describe('paginate', () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  it('cuts pages and counts them', () => {
    expect(paginate(items, 3, 10)).toEqual({ items: [20, 21, 22], page: 3, pages: 3, total: 23 });
  });
  it('clamps a page out of range (a list that shrank) instead of showing nothing', () => {
    expect(paginate(items, 9, 10).page).toBe(3);
    expect(paginate(items, 0, 10).page).toBe(1);
    expect(paginate([], 1, 10)).toEqual({ items: [], page: 1, pages: 1, total: 0 });
  });
});

describe('lossCurve', () => {
  const progress = (
    runId: string,
    epoch: number,
    loss: number | null,
    valLoss: number | null,
  ): PlatformEvent => ({
    id: `${runId}-${epoch}`,
    at: '2026-01-01T00:00:00.000Z',
    type: 'run.progress',
    runId,
    model: 'iris',
    progress: { epoch, epochs: 10, loss, valLoss, samplesPerSecond: null },
  });
  it('merges events of the run with polled progress, sorted by epoch, polled values winning', () => {
    const curve = lossCurve(
      'r1',
      [progress('r1', 3, 0.5, 0.6), progress('r2', 1, 9, 9), progress('r1', 1, 1, null)],
      [
        { epoch: 3, epochs: 10, loss: 0.4, valLoss: 0.45, samplesPerSecond: 100 },
        { epoch: 5, epochs: 10, loss: 0.2, valLoss: 0.3, samplesPerSecond: 100 },
      ],
    );
    expect(curve.loss).toEqual([
      { x: 1, y: 1 },
      { x: 3, y: 0.4 },
      { x: 5, y: 0.2 },
    ]);
    expect(curve.valLoss).toEqual([
      { x: 3, y: 0.45 },
      { x: 5, y: 0.3 },
    ]);
  });
});

describe('drift trend', () => {
  const report = (computedAt: string, driftShare: number): DriftReport => ({
    model: 'iris',
    version: 1,
    window: { rows: 50, from: null, to: null },
    referenceRows: 100,
    insufficientData: false,
    columns: [],
    driftedColumns: [],
    driftShare,
    datasetDrift: driftShare >= 0.5,
    computedAt,
  });
  it('adds each report once, x in seconds since the first', () => {
    let trend = appendReport(EMPTY_TREND, report('2026-01-01T00:00:00.000Z', 0));
    trend = appendReport(trend, report('2026-01-01T00:00:03.000Z', 0.75));
    const same = appendReport(trend, report('2026-01-01T00:00:03.000Z', 0.75));
    expect(same).toBe(trend);
    expect(trend.points).toEqual([
      { x: 0, y: 0 },
      { x: 3, y: 0.75 },
    ]);
  });
});

describe('pageFromHash', () => {
  it('maps hashes to pages and anything else to Datasets', () => {
    expect(pageFromHash('#/runs')).toBe('runs');
    expect(pageFromHash('#/models?x=1')).toBe('models');
    expect(pageFromHash('')).toBe('datasets');
    expect(pageFromHash('#/nope')).toBe('datasets');
  });
});
