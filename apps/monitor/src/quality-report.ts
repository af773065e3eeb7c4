import type { QualityReport, RetrainPolicy } from '@mlops/contracts';
import type { Reference } from './profiles';
import { classificationMetrics, regressionMetrics, type Joined } from './quality';

export interface QualityReportInput {
  model: string;
  version: number;
  /** Joined feedback rows the report is computed on (the most recent). */
  rows: readonly Joined[];
  /** What the version's manifest says; null when the registry has no manifest for it. */
  reference: Pick<Reference, 'task' | 'heldout'> | null;
  policy: RetrainPolicy;
  computedAt: string;
}

/**
 * Live metrics of a version next to its held-out ones, and the watched metric: accuracy against
 * `minAccuracy` for classification, rmse against `maxRmseRatio` × held-out rmse for regression.
 * Without a manifest the task is guessed from the type of the ground truth.
 */
export function buildQualityReport(input: QualityReportInput): QualityReport {
  const { model, version, rows, reference, policy } = input;
  const task =
    reference?.task ??
    (rows.length > 0 && typeof rows[0]!.truth === 'number' ? 'regression' : 'classification');
  const live = task === 'classification' ? classificationMetrics(rows) : regressionMetrics(rows);
  const heldout = reference?.heldout ?? {};
  const insufficientData = rows.length < policy.minFeedback;
  let watched: QualityReport['watched'] = null;
  if (task === 'classification' && live.accuracy !== undefined) {
    const threshold = policy.minAccuracy;
    watched = {
      metric: 'accuracy',
      threshold,
      degraded: !insufficientData && live.accuracy < threshold,
    };
  } else if (task === 'regression' && live.rmse !== undefined && heldout.rmse !== undefined) {
    const threshold = heldout.rmse * policy.maxRmseRatio;
    watched = { metric: 'rmse', threshold, degraded: !insufficientData && live.rmse > threshold };
  }
  return {
    model,
    version,
    task,
    samples: rows.length,
    insufficientData,
    live,
    heldout,
    watched,
    computedAt: input.computedAt,
  };
}

/** Why a degraded report asks for retraining (the retrain request's reason). */
export function qualityDecayReason(
  report: QualityReport,
  watched: NonNullable<QualityReport['watched']>,
  value: number,
): string {
  return `live ${watched.metric} ${round(value)} over ${report.samples} labeled predictions is past ${round(watched.threshold)}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
