import type {
  CellValue,
  Column,
  ColumnDrift,
  DataRow,
  DatasetProfile,
  DriftPolicy,
  DriftReport,
} from '@mlops/contracts';
import { columnSamples, distinctValues, isPValueMethod, runMethod } from './column';
import type { ColumnMethod, ColumnSamples } from './column';

export type DriftResult = Omit<DriftReport, 'model' | 'version' | 'window' | 'computedAt'>;

export interface DriftOptions {
  /** Force a method instead of Evidently's default choice (e.g. `psi`). */
  methods?: {
    numeric?: 'ks' | 'wasserstein' | 'jensen_shannon' | 'psi' | 'chi2' | 'z';
    categorical?: 'chi2' | 'z' | 'jensen_shannon' | 'psi';
  };
}

/**
 * Evidently's default test per column (`get_default_stattest`), with n = distinct values over
 * reference and live together:
 * - small reference (rows ≤ smallReferenceRows): numeric n > 5 → KS, 2 < n ≤ 5 → chi2,
 *   n ≤ 2 → z; categorical/boolean n > 2 → chi2, else z.
 * - large reference: numeric n > 5 → normed Wasserstein, else Jensen–Shannon; categorical →
 *   Jensen–Shannon.
 */
export function defaultMethod(
  samples: ColumnSamples,
  referenceRows: number,
  policy: Pick<DriftPolicy, 'smallReferenceRows'>,
): ColumnMethod {
  // Only n > 5 and n > 2 matter below: stop counting at 6.
  const n = distinctValues(samples, 6);
  if (referenceRows <= policy.smallReferenceRows) {
    if (samples.kind === 'numeric' && n > 5) return 'ks';
    return n > 2 ? 'chi2' : 'z';
  }
  if (samples.kind === 'numeric' && n > 5) return 'wasserstein';
  return 'jensen_shannon';
}

/**
 * Compare live rows with a reference profile column by column. The reference of a numeric
 * column is its profile `sample`; of a categorical/boolean column its `frequencies` (plus
 * `otherCount` as one bucket). Missing live values are skipped; a column is left out of the
 * report when the profile lacks it, their types differ, or either side has no values.
 */
export function computeDrift(
  reference: DatasetProfile,
  live: DataRow[],
  columns: Column[],
  policy: DriftPolicy,
  options: DriftOptions = {},
): DriftResult {
  const referenceRows = reference.rowCount;
  if (live.length < policy.minRows) {
    return {
      referenceRows,
      insufficientData: true,
      columns: [],
      driftedColumns: [],
      driftShare: 0,
      datasetDrift: false,
    };
  }
  const profiles = new Map(reference.columns.map((p) => [p.name, p]));
  const results: ColumnDrift[] = [];
  for (const column of columns) {
    // A date moves forward by nature: live dates are never in the reference window, so a
    // distribution test would call every window drifted. Its derived features are not tested.
    if (column.type === 'datetime') continue;
    const profile = profiles.get(column.name);
    if (!profile || (profile.type === 'numeric') !== (column.type === 'numeric')) continue;
    const cells: (CellValue | undefined)[] = live.map((row) => row[column.name]);
    const samples = columnSamples(profile, cells);
    if (sampleSize(samples, 'reference') === 0 || sampleSize(samples, 'live') === 0) continue;
    const forced =
      samples.kind === 'numeric' ? options.methods?.numeric : options.methods?.categorical;
    const method = forced ?? defaultMethod(samples, referenceRows, policy);
    const pValue = isPValueMethod(method);
    const threshold = pValue ? policy.pValueThreshold : policy.distanceThreshold;
    const raw = runMethod(method, samples);
    // A NaN would not survive JSON; treat an undefined statistic as "no evidence of drift".
    const score = Number.isFinite(raw) ? raw : pValue ? 1 : 0;
    results.push({
      column: column.name,
      type: column.type,
      method,
      score,
      threshold,
      drifted: pValue ? score < threshold : score >= threshold,
    });
  }
  const driftedColumns = results.filter((r) => r.drifted).map((r) => r.column);
  const driftShare = results.length === 0 ? 0 : driftedColumns.length / results.length;
  return {
    referenceRows,
    insufficientData: false,
    columns: results,
    driftedColumns,
    driftShare,
    datasetDrift: results.length > 0 && driftShare >= policy.driftShare,
  };
}

function sampleSize(s: ColumnSamples, side: 'reference' | 'live'): number {
  if (s.kind === 'numeric') return s[side].length;
  let total = 0;
  for (const v of s[side].values()) total += v;
  return total;
}
