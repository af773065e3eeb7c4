import { barsFor, formatNumber } from '../lib/chart';

export interface BarChartProps {
  title: string;
  items: ReadonlyArray<{ label: string; value: number }>;
  width?: number;
  height?: number;
}

/** Inline SVG bars (histogram bins or category counts); each bar names itself on hover. */
export function BarChart({ title, items, width = 240, height = 72 }: BarChartProps) {
  const bars = barsFor(items, width, height);
  const summary = items.map((i) => `${i.label}: ${i.value}`).join(', ');
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${title}. ${summary}`}
      preserveAspectRatio="none"
    >
      {bars.map((b) => (
        <rect key={b.label} x={b.x} y={b.y} width={b.width} height={b.height} className="bar">
          <title>{`${b.label}: ${formatNumber(b.value)}`}</title>
        </rect>
      ))}
    </svg>
  );
}
