import { computeDrift } from '@mlops/ml/drift';
import {
  PREDICTION_LOG_REDACTED,
  type DataRow,
  type DriftPolicy,
  type DriftReport,
} from '@mlops/contracts';
import { dataQualityOf } from './data-quality';
import type { Reference } from './profiles';
import type { WindowEntry } from './windows';

export interface DriftReportInput {
  model: string;
  version: number;
  /** The live window, oldest first. */
  entries: readonly WindowEntry[];
  reference: Pick<Reference, 'columns' | 'profile'>;
  policy: DriftPolicy;
  computedAt: string;
}

/** Drift of a window of logged features against the version's training profile. */
export function buildDriftReport(input: DriftReportInput): DriftReport {
  const { entries, reference } = input;
  const result = computeDrift(
    reference.profile,
    entries.map((e) => unredacted(e.features)),
    reference.columns,
    input.policy,
  );
  return {
    model: input.model,
    version: input.version,
    window: {
      rows: entries.length,
      from: entries[0]?.at ?? null,
      to: entries.at(-1)?.at ?? null,
    },
    ...result,
    dataQuality: dataQualityOf(entries, reference.columns, reference.profile),
    reference: 'training',
    computedAt: input.computedAt,
  };
}

/** Redacted cells are missing values to drift, not a new category. */
function unredacted(features: DataRow): DataRow {
  let out: DataRow | null = null;
  for (const [k, v] of Object.entries(features)) {
    if (v === PREDICTION_LOG_REDACTED) (out ??= { ...features })[k] = null;
  }
  return out ?? features;
}
