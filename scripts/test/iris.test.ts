import { describe, expect, it } from 'vitest';
import { readIris, shift, splitHoldout, toCsv } from '../demo/iris';

describe('demo data', () => {
  it('reads the 150 committed Iris rows, 50 per species', () => {
    const rows = readIris();
    expect(rows).toHaveLength(150);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.species, (counts.get(r.species) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ setosa: 50, versicolor: 50, virginica: 50 });
  });

  it('holds out a stratified, seeded split that never overlaps training', () => {
    const rows = readIris();
    const a = splitHoldout(rows, 10);
    const b = splitHoldout(rows, 10);
    expect(a).toEqual(b);
    expect(a.holdout).toHaveLength(30);
    expect(a.train).toHaveLength(120);
    for (const species of ['setosa', 'versicolor', 'virginica']) {
      expect(a.holdout.filter((r) => r.species === species)).toHaveLength(10);
    }
    const trainSet = new Set(a.train);
    expect(a.holdout.some((r) => trainSet.has(r))).toBe(false);
  });

  it('round-trips through CSV and shifts every feature', () => {
    const rows = readIris().slice(0, 3);
    expect(toCsv(rows).split('\n')[1]).toBe('5.1,3.5,1.4,0.2,setosa');
    const moved = shift(rows[0]!);
    expect(moved.petal_length).toBeCloseTo(4.4);
    expect(moved.species).toBe('setosa');
  });
});
