import { describe, expect, it } from 'vitest';
import { DEFAULT_THREAD_YOUNG_GEN_MB, threadResourceLimits } from '../src/thread/entry';
import { TrainingThread } from '../src/thread/training-thread';

describe('training thread heap limits', () => {
  it('gives a training thread a large young generation unless told otherwise', () => {
    expect(threadResourceLimits({})).toEqual({
      maxYoungGenerationSizeMb: DEFAULT_THREAD_YOUNG_GEN_MB,
    });
    expect(threadResourceLimits({ TRAINER_THREAD_YOUNG_GEN_MB: '32' })).toEqual({
      maxYoungGenerationSizeMb: 32,
    });
  });

  it('refuses a value that is not a sane size, naming the variable', () => {
    for (const bad of ['0', '-1', '12.5', 'lots', '99999']) {
      expect(() => threadResourceLimits({ TRAINER_THREAD_YOUNG_GEN_MB: bad })).toThrow(
        /TRAINER_THREAD_YOUNG_GEN_MB/,
      );
    }
  });

  it('starts real threads with those limits', async () => {
    const thread = new TrainingThread('cpu');
    try {
      expect(thread.worker.resourceLimits?.maxYoungGenerationSizeMb).toBe(
        DEFAULT_THREAD_YOUNG_GEN_MB,
      );
    } finally {
      await thread.terminate();
    }
  });
});
