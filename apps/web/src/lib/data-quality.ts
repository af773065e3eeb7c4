import type { DriftReport } from '@mlops/contracts';
import { formatNumber } from './chart';

/**
 * A feature's data-quality cell in the drift table: the share of the window with a category
 * the version does not know, or with a number outside the training range (and that range), or
 * '–' when the report has no data quality (a tensor model, an older monitor).
 */
export function dataQualityCell(report: DriftReport, feature: string): string {
  const f = report.dataQuality?.features.find((q) => q.feature === feature);
  if (!f) return '–';
  const pct = (rate: number) => `${formatNumber(rate * 100)}%`;
  if (f.type === 'categorical') return `${pct(f.unknownCategoryRate)} unknown`;
  const range =
    f.trainingMin !== null && f.trainingMax !== null
      ? ` [${formatNumber(f.trainingMin)}, ${formatNumber(f.trainingMax)}]`
      : '';
  return `${pct(f.outsideTrainingRangeRate)} outside${range}`;
}
