import { extentOf, formatNumber, linePath, type Point } from '../lib/chart';

export interface Series {
  name: string;
  points: readonly Point[];
  className: string;
}

export interface LineChartProps {
  title: string;
  series: readonly Series[];
  xLabel: string;
  width?: number;
  height?: number;
  /** Fixed y range (e.g. 0..1 for a share); default: the data's own range. */
  yRange?: readonly [number, number];
}

/** Inline SVG line chart with its range printed on the axes (no chart library needed). */
export function LineChart({
  title,
  series,
  xLabel,
  width = 720,
  height = 180,
  yRange,
}: LineChartProps) {
  const found = extentOf(series.map((s) => s.points));
  const extent = found && yRange ? { ...found, yMin: yRange[0], yMax: yRange[1] } : found;
  if (!extent) return <p className="muted">No {title.toLowerCase()} yet.</p>;
  const pad = { left: 44, bottom: 20, top: 8, right: 8 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const last = series.map((s) => `${s.name} ${formatNumber(s.points.at(-1)?.y)}`).join(', ');
  return (
    <figure className="line-chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${last} at ${xLabel} ${formatNumber(extent.xMax)}`}
      >
        <g transform={`translate(${pad.left},${pad.top})`}>
          <line x1={0} y1={h} x2={w} y2={h} className="axis" />
          <line x1={0} y1={0} x2={0} y2={h} className="axis" />
          <text x={-4} y={8} textAnchor="end" className="tick">
            {formatNumber(extent.yMax)}
          </text>
          <text x={-4} y={h} textAnchor="end" className="tick">
            {formatNumber(extent.yMin)}
          </text>
          <text x={0} y={h + 14} className="tick">
            {formatNumber(extent.xMin)}
          </text>
          <text
            x={w}
            y={h + 14}
            textAnchor="end"
            className="tick"
          >{`${xLabel} ${formatNumber(extent.xMax)}`}</text>
          {series.map((s) => (
            <path
              key={s.name}
              d={linePath(s.points, extent, w, h)}
              className={`line ${s.className}`}
            />
          ))}
        </g>
      </svg>
      <figcaption>
        {series.map((s) => (
          <span key={s.name} className={`legend ${s.className}`}>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
