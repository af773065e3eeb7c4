import {
  PREDICTION_LOG_REDACTED,
  type Column,
  type DataQuality,
  type DatasetProfile,
  type FeatureDataQuality,
} from '@mlops/contracts';
import type { WindowEntry } from './windows';

/** What one feature is checked against: known categories, or the training range. */
interface Rule {
  column: Column;
  known: ReadonlySet<string> | null;
  min: number | null;
  max: number | null;
}

function rulesOf(columns: readonly Column[], profile: DatasetProfile): Rule[] {
  const profiles = new Map(profile.columns.map((c) => [c.name, c]));
  const rules: Rule[] = [];
  for (const column of columns) {
    const p = profiles.get(column.name);
    if (column.type === 'numeric') {
      const numeric = p?.type === 'numeric' ? p : null;
      rules.push({ column, known: null, min: numeric?.min ?? null, max: numeric?.max ?? null });
    } else if (column.type === 'categorical') {
      // The signature's categories are what serving checks; a profile that counted every
      // category (nothing summed under `other`) knows them as well when the signature lists none.
      const counted =
        p?.type === 'categorical' && p.otherCount === 0 ? Object.keys(p.frequencies) : null;
      const categories = column.categories ?? counted;
      rules.push({ column, known: categories ? new Set(categories) : null, min: null, max: null });
    }
  }
  return rules;
}

/**
 * Unknown categories and numerics outside the training range in a window of logged rows, per
 * feature. A row counts when serving flagged it (the only trace under
 * SERVING_UNKNOWN_CATEGORY=null, which logs the value as null) or when its logged value shows
 * it (rows logged by a serving that did not flag). Redacted values are never counted.
 */
export function dataQualityOf(
  entries: readonly WindowEntry[],
  columns: readonly Column[],
  profile: DatasetProfile,
): DataQuality {
  const rules = rulesOf(columns, profile);
  const unknown = new Array<number>(rules.length).fill(0);
  const outside = new Array<number>(rules.length).fill(0);
  for (const entry of entries) {
    const flagged = entry.quality;
    rules.forEach((rule, k) => {
      const name = rule.column.name;
      const v = entry.features[name];
      if (rule.column.type === 'categorical') {
        const seen =
          typeof v === 'string' &&
          v !== PREDICTION_LOG_REDACTED &&
          rule.known !== null &&
          !rule.known.has(v);
        if (seen || flagged?.unknownCategories?.includes(name)) unknown[k]!++;
      } else {
        const seen =
          typeof v === 'number' &&
          ((rule.min !== null && v < rule.min) || (rule.max !== null && v > rule.max));
        if (seen || flagged?.outsideTrainingRange?.includes(name)) outside[k]!++;
      }
    });
  }
  const rows = entries.length;
  const rate = (n: number) => (rows === 0 ? 0 : n / rows);
  const features: FeatureDataQuality[] = rules.map((rule, k) => ({
    feature: rule.column.name,
    type: rule.column.type === 'numeric' ? 'numeric' : 'categorical',
    unknownCategories: unknown[k]!,
    unknownCategoryRate: rate(unknown[k]!),
    outsideTrainingRange: outside[k]!,
    outsideTrainingRangeRate: rate(outside[k]!),
    trainingMin: rule.min,
    trainingMax: rule.max,
  }));
  return { rows, features };
}
