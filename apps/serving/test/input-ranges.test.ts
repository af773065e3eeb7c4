import { describe, expect, it } from 'vitest';
import { isAppError, type Signature } from '@mlops/contracts';
import {
  checkFiniteOutputs,
  checkInputRanges,
  trainingRanges,
} from '../src/inference/input-ranges';

const signature: Signature = {
  inputs: [
    { name: 'x', type: 'numeric', nullable: false },
    { name: 'flat', type: 'numeric', nullable: false },
    { name: 'c', type: 'categorical', nullable: false, categories: ['a', 'b'] },
  ],
  output: { task: 'classification', target: 'y', labels: ['a', 'b'] },
};

function profile(columns: Array<{ name: string; min: number; max: number }>) {
  return new TextEncoder().encode(
    JSON.stringify({
      rowCount: 10,
      columns: columns.map((c) => ({
        ...c,
        type: 'numeric',
        count: 10,
        missing: 0,
        mean: (c.min + c.max) / 2,
        std: 1,
        distinct: 2,
        histogram: { edges: [], counts: [] },
        sample: [],
      })),
    }),
  );
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('input ranges', () => {
  it('reads numeric ranges from the training profile, and none from a missing or bad one', () => {
    const ranges = trainingRanges(
      signature,
      profile([
        { name: 'x', min: 0, max: 10 },
        { name: 'flat', min: 5, max: 5 },
      ]),
    );
    expect(ranges.map((r) => [r.name, r.low, r.high])).toEqual([
      ['x', -1000, 1010],
      ['flat', -495, 505], // equal values: their magnitude is the scale
    ]);
    expect(trainingRanges(signature, undefined)).toEqual([]);
    expect(trainingRanges(signature, new TextEncoder().encode('{not json'))).toEqual([]);
  });

  it('flags far-out inputs, refuses ones beyond float32, naming each', () => {
    const ranges = trainingRanges(signature, profile([{ name: 'x', min: 0, max: 10 }]));
    const flagged = checkInputRanges(signature, ranges, [
      { x: 5, flat: 1, c: 'a' },
      { x: 2e4, flat: 1, c: 'a' },
    ]);
    expect(flagged).toEqual([
      { path: 'instances[1].x', feature: 'x', value: 2e4, min: 0, max: 10 },
    ]);
    const err = thrown(() => checkInputRanges(signature, [], [{ x: 1, flat: -1e300, c: 'b' }]));
    expect(isAppError(err) && err.details?.[0]?.path).toBe('instances[0].flat');
  });

  it('turns NaN or infinite outputs into a 400 naming the row', () => {
    expect(() =>
      checkFiniteOutputs([{ label: 'a', probabilities: { a: 0.9, b: 0.1 } }, { value: 3 }]),
    ).not.toThrow();
    const err = thrown(() =>
      checkFiniteOutputs([{ value: 1 }, { label: 'a', probabilities: { a: NaN, b: NaN } }]),
    );
    expect(isAppError(err) && err.code).toBe('VALIDATION_FAILED');
    expect(isAppError(err) && err.details?.[0]?.path).toBe('instances[1]');
  });
});
