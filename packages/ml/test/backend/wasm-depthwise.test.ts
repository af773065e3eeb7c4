import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, registerWasmDepthwiseKernels } from '../../src/backend';
import { cpuThenWasm } from './cpu-then-wasm';

type Case = {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
};

const CASES: Case[] = [
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { x: [2, 9, 7, 4], filter: [3, 3, 4, 2], strides: 2, pad: 'same' },
  { x: [1, 9, 9, 2], filter: [2, 3, 2, 3], strides: [2, 1], pad: 'valid' },
  { x: [3, 6, 6, 5], filter: [5, 5, 5, 1], strides: 1, pad: 2 },
  { x: [1, 3, 3, 2], filter: [5, 5, 2, 1], strides: 1, pad: 'same' },
  // Stride 1 with one filter per channel takes the forward depthwise conv for the input
  // gradient: 'valid', a filter of unequal sides, numeric padding; padding wider than the filter
  // reaches takes the JS loop, as do strides and multipliers.
  { x: [2, 7, 6, 4], filter: [3, 3, 4, 1], strides: 1, pad: 'valid' },
  { x: [2, 7, 5, 6], filter: [3, 2, 6, 1], strides: 1, pad: 'same' },
  { x: [1, 6, 6, 3], filter: [3, 3, 3, 1], strides: 1, pad: 1 },
  { x: [1, 5, 5, 2], filter: [3, 3, 2, 1], strides: 1, pad: 3 },
  // A MobileNet downsampling block: stride 2, one filter per channel, odd input.
  { x: [2, 9, 8, 6], filter: [3, 3, 6, 1], strides: 2, pad: 'same' },
];

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed) * 2);
}

/** A gradient of depthwiseConv2d, as tf.grad computes it on the active backend. */
function gradient(tf: typeof tfTypes, c: Case, of: 'filter' | 'input'): number[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      values(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const filter = tf.tensor4d(
      values(
        c.filter.reduce((a, b) => a * b),
        3,
      ),
      c.filter,
    );
    const loss = (input: tfTypes.Tensor4D, f: tfTypes.Tensor4D) => {
      const y = tf.depthwiseConv2d(input, f, c.strides, c.pad);
      return y.mul(tf.tensor(values(y.size, 2), y.shape)).sum();
    };
    const g =
      of === 'filter'
        ? tf.grad((f: tfTypes.Tensor) => loss(x, f as tfTypes.Tensor4D))(filter)
        : tf.grad((input: tfTypes.Tensor) => loss(input as tfTypes.Tensor4D, filter))(x);
    return Array.from(g.dataSync());
  });
}

describe('wasm depthwise conv gradients', () => {
  it('are installed by initBackend on wasm', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(registerWasmDepthwiseKernels()).toEqual([
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]);
  });

  it.each(CASES.flatMap((c) => (['filter', 'input'] as const).map((of) => ({ ...c, of }))))(
    '$of gradient matches cpu for x $x, filter $filter, strides $strides, pad $pad',
    async (c) => {
      const { want, got } = await cpuThenWasm((tf) => gradient(tf, c, c.of));
      expect(got).toHaveLength(want.length);
      const scale = Math.max(...want.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      got.forEach((v, i) => expect(Math.abs(v - (want[i] ?? NaN)) / scale).toBeLessThan(1e-5));
    },
  );
});
