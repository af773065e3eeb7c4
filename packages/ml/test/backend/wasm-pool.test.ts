import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, registerWasmPoolKernels } from '../../src/backend';
import { cpuThenWasm } from './cpu-then-wasm';

type Case = {
  x: [number, number, number, number];
  size: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
};

const CASES: Case[] = [
  { x: [2, 8, 8, 3], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 4], size: 2, strides: 2, pad: 'same' },
  { x: [1, 9, 9, 2], size: 3, strides: 2, pad: 'valid' },
  { x: [2, 7, 6, 5], size: [3, 2], strides: [1, 2], pad: 'same' },
  { x: [1, 8, 8, 3], size: 3, strides: 1, pad: 1 },
  { x: [3, 5, 5, 1], size: 1, strides: 1, pad: 'valid' },
  // Whole 2×2 windows take an unrolled path: overlapping (stride 1), and cnn-small's own shape.
  { x: [2, 6, 5, 3], size: 2, strides: 1, pad: 'valid' },
  { x: [2, 16, 16, 8], size: 2, strides: 2, pad: 'valid' },
];

/**
 * Inputs as a ReLU leaves them: a third of the values 0, so whole windows tie and the choice
 * among equal maxima shows; the rest distinct, so a misplaced window shows.
 */
function values(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i * 0.61) + 1.5));
}

function gradient(tf: typeof tfTypes, c: Case): number[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b)), c.x);
    const weights = (y: tfTypes.Tensor) => tf.range(1, y.size + 1).reshape(y.shape);
    const dx = tf.grad((t: tfTypes.Tensor) => {
      const y = tf.maxPool(t as tfTypes.Tensor4D, c.size, c.strides, c.pad);
      return y.mul(weights(y)).sum();
    })(x);
    return Array.from(dx.dataSync());
  });
}

describe('wasm MaxPoolGrad', () => {
  it('is installed by initBackend on wasm', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(registerWasmPoolKernels()).toEqual(['MaxPoolGrad']);
  });

  it.each(CASES)('matches cpu for x $x, pool $size, strides $strides, pad $pad', async (c) => {
    const { want, got } = await cpuThenWasm((tf) => gradient(tf, c));
    expect(want.some((v) => v !== 0)).toBe(true);
    expect(got).toHaveLength(want.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 4));
  });
});
