import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DriftReport } from '@mlops/contracts';

export interface MonitorMetrics {
  registry: Registry;
  rowsConsumed: Counter<'model'>;
  invalidEntries: Counter<'model'>;
  columnDrift: Gauge<'model' | 'version' | 'column' | 'method'>;
  datasetDrift: Gauge<'model' | 'version'>;
  reports: Counter<'model' | 'result'>;
  alerts: Counter<'model'>;
  feedback: Counter<'result'>;
  feedbackRefused: Counter<'reason'>;
  authRefusals: Counter<'access'>;
  liveQuality: Gauge<'model' | 'version' | 'metric'>;
  feedbackSamples: Gauge<'model' | 'version'>;
  predictionDrift: Gauge<'model' | 'version' | 'method'>;
  retrainings: Counter<'model' | 'result'>;
  webhooks: Counter<'result'>;
  dataQuality: Gauge<'model' | 'version' | 'feature' | 'kind'>;
  observe(report: DriftReport): void;
}

/** The monitor's own prom-client registry: default process metrics plus drift metrics. */
export function createMetrics(): MonitorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const rowsConsumed = new Counter({
    name: 'monitor_rows_consumed_total',
    help: 'Prediction log entries read from the streams',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const invalidEntries = new Counter({
    name: 'monitor_invalid_entries_total',
    help: 'Stream entries skipped because they were not a PredictionLogEntry',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const columnDrift = new Gauge({
    name: 'monitor_column_drift_score',
    help: 'Latest drift score per column (p-value for ks/chi2/z, distance otherwise)',
    labelNames: ['model', 'version', 'column', 'method'] as const,
    registers: [registry],
  });
  const datasetDrift = new Gauge({
    name: 'monitor_dataset_drift',
    help: '1 when the latest report found dataset drift, else 0',
    labelNames: ['model', 'version'] as const,
    registers: [registry],
  });
  const reports = new Counter({
    name: 'monitor_drift_reports_total',
    help: 'Drift reports computed',
    labelNames: ['model', 'result'] as const,
    registers: [registry],
  });
  const alerts = new Counter({
    name: 'monitor_drift_alerts_total',
    help: 'drift.detected events published',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const feedback = new Counter({
    name: 'monitor_feedback_total',
    help: 'Ground-truth items received: joined or rejected',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const feedbackRefused = new Counter({
    name: 'monitor_feedback_refused_total',
    help: 'Feedback items refused: unknown id, not-yours (served to another principal), expired, mismatch, duplicate',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const authRefusals = new Counter({
    name: 'monitor_auth_refusals_total',
    help: 'Requests refused before their body was read: no, bad or revoked token, or a missing scope',
    labelNames: ['access'] as const,
    registers: [registry],
  });
  const liveQuality = new Gauge({
    name: 'monitor_live_quality',
    help: 'Live quality from joined feedback (accuracy, macro_f1, rmse, mae) per model version',
    labelNames: ['model', 'version', 'metric'] as const,
    registers: [registry],
  });
  const feedbackSamples = new Gauge({
    name: 'monitor_live_quality_samples',
    help: 'Joined feedback rows the live quality is computed on',
    labelNames: ['model', 'version'] as const,
    registers: [registry],
  });
  const predictionDrift = new Gauge({
    name: 'monitor_prediction_drift_score',
    help: 'Drift score of the model outputs against the version’s first window',
    labelNames: ['model', 'version', 'method'] as const,
    registers: [registry],
  });
  const retrainings = new Counter({
    name: 'monitor_retrainings_total',
    help: 'Retrainings by outcome: requested, promoted, rejected (gate), failed',
    labelNames: ['model', 'result'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'monitor_alert_webhooks_total',
    help: 'Alert webhook deliveries (after retries): ok or failed',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const dataQuality = new Gauge({
    name: 'monitor_data_quality_rate',
    help: 'Share of the latest window with an unknown category (kind=unknown_category) or a numeric outside the training range (kind=outside_training_range), per feature',
    labelNames: ['model', 'version', 'feature', 'kind'] as const,
    registers: [registry],
  });
  return {
    registry,
    dataQuality,
    feedback,
    feedbackRefused,
    authRefusals,
    liveQuality,
    feedbackSamples,
    predictionDrift,
    retrainings,
    webhooks,
    rowsConsumed,
    invalidEntries,
    columnDrift,
    datasetDrift,
    reports,
    alerts,
    observe(report) {
      const result = report.insufficientData
        ? 'insufficient'
        : report.datasetDrift
          ? 'drift'
          : 'no_drift';
      reports.inc({ model: report.model, result });
      const version = String(report.version);
      // Data quality needs no minimum of rows: one unknown category is already worth seeing.
      if (report.dataQuality && report.dataQuality.rows > 0) {
        for (const f of report.dataQuality.features) {
          const labels = { model: report.model, version, feature: f.feature };
          if (f.type === 'categorical')
            dataQuality.set({ ...labels, kind: 'unknown_category' }, f.unknownCategoryRate);
          else
            dataQuality.set(
              { ...labels, kind: 'outside_training_range' },
              f.outsideTrainingRangeRate,
            );
        }
      }
      if (report.insufficientData) return;
      datasetDrift.set({ model: report.model, version }, report.datasetDrift ? 1 : 0);
      for (const c of report.columns) {
        columnDrift.set(
          { model: report.model, version, column: c.column, method: c.method },
          c.score,
        );
      }
    },
  };
}
