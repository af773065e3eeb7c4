import { describe, expect, it } from 'vitest';
import { barsFor, extentOf, formatNumber, histogramItems, linePath } from '../src/lib/chart';

describe('chart geometry', () => {
  it('scales bars so the tallest fills the height', () => {
    const bars = barsFor(
      [
        { label: 'a', value: 5 },
        { label: 'b', value: 10 },
      ],
      100,
      50,
      0,
    );
    expect(bars.map((b) => [b.x, b.width, b.height, b.y])).toEqual([
      [0, 50, 25, 25],
      [50, 50, 50, 0],
    ]);
  });

  it('draws empty and all-zero inputs without dividing by zero', () => {
    expect(barsFor([], 100, 50)).toEqual([]);
    expect(barsFor([{ label: 'a', value: 0 }], 100, 50)[0]?.height).toBe(0);
  });

  it('labels histogram bins by their edges', () => {
    expect(histogramItems([0, 0.5, 1], [3, 4])).toEqual([
      { label: '0 – 0.5', value: 3 },
      { label: '0.5 – 1', value: 4 },
    ]);
  });

  it('builds an SVG path inside the box, y growing downwards', () => {
    const points = [
      { x: 1, y: 1 },
      { x: 2, y: 0.5 },
      { x: 3, y: 0 },
    ];
    const extent = extentOf([points])!;
    expect(linePath(points, extent, 100, 10)).toBe('M0 0 L50 5 L100 10');
  });

  it('gives a flat or single-point series a range and skips non-finite points', () => {
    const extent = extentOf([
      [
        { x: 5, y: 2 },
        { x: Number.NaN, y: 1 },
      ],
    ])!;
    expect(extent).toEqual({ xMin: 5, xMax: 6, yMin: 2, yMax: 3 });
    expect(extentOf([[]])).toBeNull();
  });

  it('formats numbers short', () => {
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.0000283)).toBe('2.83e-5');
    expect(formatNumber(null)).toBe('–');
  });
});
