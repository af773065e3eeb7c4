import {
  MAX_ANOMALIES,
  type Anomaly,
  type ColumnProfile,
  type DatasetProfile,
  type DatasetSchema,
} from '@mlops/contracts';
import { distributionShift, missingRateJump, newCategories, outOfRange } from './columns';
import { VALIDATION_THRESHOLDS as T } from './thresholds';

/** What validation reads of a dataset version. */
export interface VersionState {
  schema: DatasetSchema;
  profile: DatasetProfile;
}

export interface ValidateOptions {
  /**
   * The label column, when one is declared: only its distribution is tested for a shift.
   * Without one every categorical and boolean column is (the dataset does not say which column
   * a run will predict).
   */
  target?: string;
}

/**
 * Compare a dataset version with the previous version of its name (TFDV's "validate statistics
 * against a schema and previous statistics"). Pure: schema and profile in, anomalies out,
 * ordered errors first then by column. `previous` null (a first version) checks only what needs
 * no reference: duplicate rows.
 */
export function validateDataset(
  current: VersionState,
  previous: VersionState | null,
  opts: ValidateOptions = {},
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const dup = duplicateRows(current.profile, previous?.profile ?? null);
  if (dup) anomalies.push(dup);
  if (previous) anomalies.push(...compareColumns(current, previous, opts));
  const rank = (a: Anomaly) => (a.severity === 'error' ? 0 : 1);
  return anomalies
    .sort((a, b) => rank(a) - rank(b) || (a.column ?? '').localeCompare(b.column ?? ''))
    .slice(0, MAX_ANOMALIES);
}

function compareColumns(cur: VersionState, prev: VersionState, opts: ValidateOptions): Anomaly[] {
  const out: Anomaly[] = [];
  const before = new Map(prev.schema.columns.map((c) => [c.name, c]));
  const now = new Map(cur.schema.columns.map((c) => [c.name, c]));
  for (const [name] of before)
    if (!now.has(name))
      out.push({
        kind: 'column_missing',
        severity: 'error',
        column: name,
        message: `column "${name}" of the previous version is missing: a model that reads it cannot take these rows`,
        observed: null,
        expected: null,
      });
  for (const [name, column] of now) {
    const old = before.get(name);
    if (!old) {
      out.push({
        kind: 'column_added',
        severity: 'warning',
        column: name,
        message: `column "${name}" (${column.type}) is new in this version`,
        observed: null,
        expected: null,
      });
      continue;
    }
    if (old.type !== column.type) {
      out.push({
        kind: 'type_changed',
        severity: 'error',
        column: name,
        message: `column "${name}" changed type from ${old.type} to ${column.type}`,
        observed: null,
        expected: null,
      });
      continue;
    }
    const p = profileOf(prev.profile, name);
    const c = profileOf(cur.profile, name);
    if (!p || !c) continue; // image columns: their statistics are compared by the monitor
    out.push(...compareProfiles(p, c, opts));
  }
  return out;
}

function compareProfiles(p: ColumnProfile, c: ColumnProfile, opts: ValidateOptions): Anomaly[] {
  const found: Array<Anomaly | null> = [missingRateJump(p, c)];
  if (p.type === 'numeric' && c.type === 'numeric') found.push(outOfRange(p, c));
  if (p.type !== 'numeric' && c.type !== 'numeric') {
    found.push(newCategories(p, c));
    const label = opts.target === c.name;
    if (opts.target === undefined || label) found.push(distributionShift(p, c, label));
  }
  return found.filter((a): a is Anomaly => a !== null);
}

function profileOf(profile: DatasetProfile, name: string): ColumnProfile | undefined {
  return profile.columns.find((c) => c.name === name);
}

function duplicateRows(cur: DatasetProfile, prev: DatasetProfile | null): Anomaly | null {
  if (cur.duplicateRows === undefined || cur.rowCount === 0) return null;
  const share = cur.duplicateRows / cur.rowCount;
  const before =
    prev?.duplicateRows !== undefined && prev.rowCount > 0
      ? prev.duplicateRows / prev.rowCount
      : null;
  if (share <= T.duplicateShare) return null;
  if (before !== null && share - before < T.duplicateShareIncrease) return null;
  return {
    kind: 'duplicate_rows',
    severity: 'warning',
    column: null,
    message: `${cur.duplicateRows} of ${cur.rowCount} rows (${(share * 100).toFixed(1)}%) repeat an earlier row (threshold: ${T.duplicateShare * 100}%${before !== null ? `, previous version ${(before * 100).toFixed(1)}%` : ''})`,
    observed: share,
    expected: before ?? T.duplicateShare,
  };
}
