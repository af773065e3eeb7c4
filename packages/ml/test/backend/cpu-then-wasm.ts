import { expect } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../src/backend';

/**
 * Run `compute` on the cpu backend (the reference), then on wasm, and check that the wasm run
 * left no tensor behind. `compute` must read its results out of the tensors it makes.
 */
export async function cpuThenWasm<T>(
  compute: (tf: typeof tfTypes) => T,
): Promise<{ want: T; got: T }> {
  const tf = getTf();
  await initBackend('cpu');
  const want = compute(tf);
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  const got = compute(tf);
  expect(tf.memory().numTensors).toBe(before);
  return { want, got };
}
