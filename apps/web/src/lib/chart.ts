/** Geometry for the inline SVG charts: pure functions, unit-tested without a browser. */

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  value: number;
}

/** Bars of equal width filling `width`; the tallest reaches `height`. */
export function barsFor(
  items: ReadonlyArray<{ label: string; value: number }>,
  width: number,
  height: number,
  gap = 1,
): Bar[] {
  if (items.length === 0) return [];
  const max = Math.max(...items.map((i) => i.value), 0);
  const slot = width / items.length;
  return items.map((item, i) => {
    const h = max > 0 ? (item.value / max) * height : 0;
    return {
      x: i * slot + gap / 2,
      y: height - h,
      width: Math.max(slot - gap, 0.5),
      height: h,
      label: item.label,
      value: item.value,
    };
  });
}

/** Histogram bins (edges length = counts length + 1) as labelled bars. */
export function histogramItems(
  edges: readonly number[],
  counts: readonly number[],
): Array<{ label: string; value: number }> {
  return counts.map((value, i) => ({
    label: `${formatNumber(edges[i] ?? Number.NaN)} – ${formatNumber(edges[i + 1] ?? Number.NaN)}`,
    value,
  }));
}

export interface Point {
  x: number;
  y: number;
}

export interface Extent {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export function extentOf(series: ReadonlyArray<readonly Point[]>): Extent | null {
  const all = series.flat().filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (all.length === 0) return null;
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const e = {
    xMin: Math.min(...xs),
    xMax: Math.max(...xs),
    yMin: Math.min(...ys),
    yMax: Math.max(...ys),
  };
  // A flat line still needs a range to be drawn in.
  if (e.xMax === e.xMin) e.xMax = e.xMin + 1;
  if (e.yMax === e.yMin) e.yMax = e.yMin + 1;
  return e;
}

/** SVG path `M x y L x y …` of points scaled into a width × height box (y grows downwards). */
export function linePath(
  points: readonly Point[],
  extent: Extent,
  width: number,
  height: number,
): string {
  const sx = (x: number) => ((x - extent.xMin) / (extent.xMax - extent.xMin)) * width;
  const sy = (y: number) => height - ((y - extent.yMin) / (extent.yMax - extent.yMin)) * height;
  return points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${round2(sx(p.x))} ${round2(sy(p.y))}`)
    .join(' ');
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Short human form: 3 significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}
