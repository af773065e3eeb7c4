import type { DriftReport } from '@mlops/contracts';
import type { Point } from './chart';

export interface DriftOverTime {
  /** Share of drifted features per report, x = seconds since the oldest report. */
  share: Point[];
  /** Per feature: its score per report (p-value or distance) and how often it drifted. */
  features: Array<{ column: string; scores: Point[]; drifted: number; reports: number }>;
}

/**
 * The monitor's `history` (newest first) as series over time, oldest first. Only reports of
 * the newest version are used: another version has another reference, so scores do not compare.
 */
export function driftOverTime(reports: readonly DriftReport[]): DriftOverTime {
  const latest = reports[0]?.version;
  const ordered = reports
    .filter((r) => r.version === latest && !r.insufficientData)
    .map((r) => ({ r, at: Date.parse(r.computedAt) / 1000 }))
    .filter((x) => Number.isFinite(x.at))
    .sort((a, b) => a.at - b.at);
  const origin = ordered[0]?.at ?? 0;
  const x = (at: number) => Math.round((at - origin) * 10) / 10;
  const features = new Map<string, DriftOverTime['features'][number]>();
  for (const { r, at } of ordered) {
    for (const c of r.columns) {
      let f = features.get(c.column);
      if (!f)
        features.set(c.column, (f = { column: c.column, scores: [], drifted: 0, reports: 0 }));
      f.scores.push({ x: x(at), y: c.score });
      f.reports += 1;
      if (c.drifted) f.drifted += 1;
    }
  }
  return {
    share: ordered.map(({ r, at }) => ({ x: x(at), y: r.driftShare })),
    features: [...features.values()],
  };
}
