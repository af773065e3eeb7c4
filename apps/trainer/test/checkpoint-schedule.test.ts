import { describe, expect, it } from 'vitest';
import { CheckpointSchedule } from '../src/thread/resume';

describe('CheckpointSchedule', () => {
  it('with interval 0 checkpoints after every epoch but the last', () => {
    const s = new CheckpointSchedule(0, 3);
    expect([1, 2, 3].map((e) => s.due(e))).toEqual([true, true, false]);
  });

  it('counts the interval from the start of the fit: a short job never checkpoints', () => {
    const s = new CheckpointSchedule(60_000, 5);
    expect([1, 2, 3, 4].some((e) => s.due(e))).toBe(false);
  });
});
