import type { QualityReport } from '@mlops/contracts';
import type { DriftMonitorDeps } from './monitor';
import type { ProfileSource } from './profiles';
import { buildQualityReport, qualityDecayReason } from './quality-report';

type Deps = Pick<
  DriftMonitorDeps,
  'quality' | 'profiles' | 'metrics' | 'logger' | 'qualityWindow' | 'retrainPolicy'
>;

/**
 * The live quality of a known version from its latest joined feedback, against the held-out
 * metrics of its manifest (when the registry has one), published as gauges.
 */
export async function liveQualityReport(
  deps: Deps,
  model: string,
  version: number,
): Promise<QualityReport> {
  const { quality, profiles, metrics } = deps;
  const rows = quality.rows(model, version, deps.qualityWindow);
  let reference: Awaited<ReturnType<ProfileSource['get']>> | null = null;
  try {
    reference = await profiles.get(model, version);
  } catch (err) {
    deps.logger.debug({ err, model, version }, 'no manifest for the quality report');
  }
  const report = buildQualityReport({
    model,
    version,
    rows,
    reference,
    policy: deps.retrainPolicy(model),
    computedAt: new Date().toISOString(),
  });
  for (const [metric, value] of Object.entries(report.live)) {
    metrics.liveQuality.set({ model, version: String(version), metric }, value);
  }
  metrics.feedbackSamples.set({ model, version: String(version) }, rows.length);
  return report;
}

/** A report whose watched metric decayed: alert (once per cooldown) and ask for retraining. */
export async function actOnQualityDecay(
  deps: Pick<DriftMonitorDeps, 'alerts' | 'metrics' | 'retrainer'>,
  report: QualityReport,
): Promise<void> {
  const w = report.watched;
  if (!w?.degraded) return;
  const { model, version } = report;
  const value = report.live[w.metric] ?? NaN;
  const alerted = await deps.alerts.maybeQualityAlert({
    model,
    version,
    metric: w.metric,
    value,
    threshold: w.threshold,
  });
  if (alerted) deps.metrics.alerts.inc({ model });
  await deps.retrainer.maybeRetrain({
    model,
    version,
    trigger: 'quality',
    reason: qualityDecayReason(report, w, value),
  });
}
