import { describe, expect, it } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { warmUpTraining } from '../src/thread/warm-up';

describe('training warm-up', () => {
  it('trains a throwaway model and leaves no tensor or variable behind', async () => {
    await initBackend('cpu');
    const tf = getTf();
    const before = tf.memory().numTensors;
    await warmUpTraining();
    expect(tf.memory().numTensors).toBe(before);
  });
});
