import { describe, expect, it } from 'vitest';
import type { DriftReport } from '@mlops/contracts';
import { dataQualityCell } from '../src/lib/data-quality';

const report: DriftReport = {
  model: 'shop',
  version: 1,
  window: { rows: 25, from: null, to: null },
  referenceRows: 800,
  insufficientData: false,
  columns: [],
  driftedColumns: [],
  driftShare: 0,
  datasetDrift: false,
  computedAt: '2026-12-07T00:00:00.000Z',
  dataQuality: {
    rows: 25,
    features: [
      {
        feature: 'color',
        type: 'categorical',
        unknownCategories: 2,
        unknownCategoryRate: 0.08,
        outsideTrainingRange: 0,
        outsideTrainingRangeRate: 0,
        trainingMin: null,
        trainingMax: null,
      },
      {
        feature: 'x',
        type: 'numeric',
        unknownCategories: 0,
        unknownCategoryRate: 0,
        outsideTrainingRange: 1,
        outsideTrainingRangeRate: 0.04,
        trainingMin: -2,
        trainingMax: 2.5,
      },
    ],
  },
};

describe('the data-quality cell of the drift table', () => {
  it('shows unknown categories and out-of-range numbers as shares of the window', () => {
    expect(dataQualityCell(report, 'color')).toBe('8% unknown');
    expect(dataQualityCell(report, 'x')).toBe('4% outside [-2, 2.5]');
  });

  it('shows a dash for a feature or a report without data quality', () => {
    expect(dataQualityCell(report, 'flag')).toBe('–');
    const { dataQuality: _omit, ...older } = report;
    expect(dataQualityCell(older, 'color')).toBe('–');
  });
});
