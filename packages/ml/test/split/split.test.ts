import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace, splitIndices } from '../../src/split';

describe('mulberry32', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('shuffles into a permutation', () => {
    const items = shuffleInPlace(
      Array.from({ length: 50 }, (_, i) => i),
      mulberry32(1),
    );
    expect([...items].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(items).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('splitIndices', () => {
  it('partitions every index once, with the requested shares, reproducibly', () => {
    const split = splitIndices(100, { testFraction: 0.2, validationFraction: 0.1, seed: 3 });
    expect(split.test).toHaveLength(20);
    expect(split.validation).toHaveLength(8);
    expect(split.train).toHaveLength(72);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(splitIndices(100, { testFraction: 0.2, validationFraction: 0.1, seed: 3 })).toEqual(
      split,
    );
    expect(splitIndices(100, { testFraction: 0.2, validationFraction: 0.1, seed: 4 })).not.toEqual(
      split,
    );
  });

  it('stratifies and keeps rare classes in training', () => {
    const strata = [...Array<string>(50).fill('a'), ...Array<string>(50).fill('b'), 'rare'];
    const split = splitIndices(strata.length, {
      testFraction: 0.2,
      validationFraction: 0,
      seed: 1,
      strata,
    });
    const count = (idx: number[], label: string) => idx.filter((i) => strata[i] === label).length;
    expect(count(split.test, 'a')).toBe(10);
    expect(count(split.test, 'b')).toBe(10);
    expect(count(split.train, 'rare')).toBe(1);
    expect(split.validation).toEqual([]);
  });
});
