import type { DriftReport } from '@mlops/contracts';
import type { Point } from './chart';

const MAX_POINTS = 500;

export interface DriftTrend {
  /** Epoch seconds of the first report seen: x = seconds since then. */
  origin: number | null;
  points: Point[];
}

export const EMPTY_TREND: DriftTrend = { origin: null, points: [] };

/**
 * Add a report to a drift-share trend, once per `computedAt`, bounded so that a page left open
 * for days stays light. Returns the same object when nothing changed.
 */
export function appendReport(trend: DriftTrend, report: DriftReport): DriftTrend {
  const at = Date.parse(report.computedAt) / 1000;
  if (!Number.isFinite(at)) return trend;
  const origin = trend.origin ?? at;
  const x = Math.round((at - origin) * 10) / 10;
  if (trend.points.some((p) => p.x === x)) return trend;
  return { origin, points: [...trend.points, { x, y: report.driftShare }].slice(-MAX_POINTS) };
}
