import { describe, expect, it } from 'vitest';
import { distinctValues } from '../../src/drift/column';

describe('distinctValues', () => {
  it('counts the union of reference and live values exactly when not capped', () => {
    expect(distinctValues({ kind: 'numeric', reference: [1, 2, 2, 3], live: [3, 4, -0, 0] })).toBe(
      5,
    );
    const reference = new Map([
      ['a', 3],
      ['b', 1],
    ]);
    const live = new Map([
      ['b', 2],
      ['c', 5],
    ]);
    expect(distinctValues({ kind: 'categorical', reference, live })).toBe(3);
  });

  it('stops at the cap, and gives the exact count below it', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => i / 7);
    expect(distinctValues({ kind: 'numeric', reference: many, live: many }, 6)).toBe(6);
    expect(distinctValues({ kind: 'numeric', reference: [1, 1, 2], live: [2, 3] }, 6)).toBe(3);
  });
});
