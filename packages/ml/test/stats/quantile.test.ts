import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../src/stats';

describe('quantile', () => {
  it('interpolates linearly between the nearest ranks of unsorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile(values, 0.5)).toBeCloseTo(50.5, 12);
    expect(quantile(values, 0.99)).toBeCloseTo(99.01, 12);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([7], 0.99)).toBe(7);
  });

  it('takes the mean of the two middle values as the median of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median(Float64Array.from([0.5, -1, 2, 8]))).toBe(1.25);
  });

  it('leaves its input unsorted, clamps q to [0, 1] and gives NaN for no values', () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
    expect(quantile(values, -1)).toBe(1);
    expect(quantile(values, 2)).toBe(3);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
