import { extentOf, formatNumber, linePath, type Point } from '../lib/chart';

/** A tiny line for a table cell; the label says the first and last value for screen readers. */
export function Sparkline({ title, points }: { title: string; points: readonly Point[] }) {
  const extent = extentOf([points]);
  if (!extent || points.length < 2) return <span className="muted">–</span>;
  const label = `${title}: ${formatNumber(points[0]?.y)} → ${formatNumber(points.at(-1)?.y)}`;
  return (
    <svg className="sparkline" viewBox="0 0 100 24" role="img" aria-label={label}>
      <path d={linePath(points, extent, 100, 24)} className="line" />
    </svg>
  );
}
