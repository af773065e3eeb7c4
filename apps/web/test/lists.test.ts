import { describe, expect, it } from 'vitest';
import type { DriftReport, PlatformEvent } from '@mlops/contracts';
import { lossCurve } from '../src/lib/curve';
import { driftOverTime } from '../src/lib/drift-history';
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

describe('lossCurve with the run record', () => {
  it('draws every stored epoch, the stored values winning over events and polls', () => {
    const curve = lossCurve(
      'r1',
      [],
      [{ epoch: 3, epochs: 3, loss: 9, valLoss: 9, samplesPerSecond: null }],
      [
        { epoch: 1, loss: 1, valLoss: 1.1 },
        { epoch: 2, loss: 0.8, valLoss: null },
        { epoch: 3, loss: 0.5, valLoss: 0.7 },
      ],
    );
    expect(curve.loss.map((p) => p.y)).toEqual([1, 0.8, 0.5]);
    expect(curve.valLoss).toEqual([
      { x: 1, y: 1.1 },
      { x: 3, y: 0.7 },
    ]);
  });
});

describe('drift over time', () => {
  const report = (computedAt: string, score: number, version = 1): DriftReport => ({
    model: 'iris',
    version,
    window: { rows: 50, from: null, to: null },
    referenceRows: 100,
    insufficientData: false,
    columns: [
      { column: 'x', type: 'numeric', method: 'ks', score, threshold: 0.05, drifted: score < 0.05 },
    ],
    driftedColumns: score < 0.05 ? ['x'] : [],
    driftShare: score < 0.05 ? 1 : 0,
    datasetDrift: score < 0.05,
    computedAt,
  });
  it('orders the history oldest first, per feature, newest version only', () => {
    // history() answers newest first.
    const t = driftOverTime([
      report('2026-01-01T00:00:03.000Z', 0.01, 2),
      report('2026-01-01T00:00:00.000Z', 0.5, 2),
      report('2025-12-31T00:00:00.000Z', 0.9, 1),
    ]);
    expect(t.share).toEqual([
      { x: 0, y: 0 },
      { x: 3, y: 1 },
    ]);
    expect(t.features).toEqual([
      {
        column: 'x',
        scores: [
          { x: 0, y: 0.5 },
          { x: 3, y: 0.01 },
        ],
        drifted: 1,
        reports: 2,
      },
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
