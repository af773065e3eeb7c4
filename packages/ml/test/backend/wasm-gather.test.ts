import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend, registerWasmGatherKernel } from '../../src/backend';
import { cpuThenWasm } from './cpu-then-wasm';

type Case = {
  x: number[];
  dtype: 'float32' | 'int32' | 'bool';
  indices: number[][] | number[];
  axis: number;
  batchDims?: number;
};

const CASES: Case[] = [
  // model.fit's batch: whole images (slices copied with set).
  { x: [10, 4, 4, 3], dtype: 'float32', indices: [7, 0, 3, 3, 9], axis: 0 },
  // Short slices (copied by a loop), an inner axis, a negative axis.
  { x: [3, 5, 2], dtype: 'int32', indices: [4, 1, 1], axis: 1 },
  { x: [2, 3, 6], dtype: 'float32', indices: [5, 0], axis: -1 },
  { x: [6, 2], dtype: 'bool', indices: [2, 5, 0], axis: 0 },
  // Two-dimensional indices keep their shape in the output.
  {
    x: [5, 20],
    dtype: 'float32',
    indices: [
      [1, 2],
      [4, 0],
      [3, 3],
    ],
    axis: 0,
  },
  // Batch dimensions stay on the original kernel.
  {
    x: [2, 4, 3],
    dtype: 'float32',
    indices: [
      [3, 0],
      [1, 2],
    ],
    axis: 1,
    batchDims: 1,
  },
];

function gathered(tf: typeof tfTypes, c: Case): { values: number[]; shape: number[] } {
  return tf.tidy(() => {
    const size = c.x.reduce((a, b) => a * b);
    const values = Array.from({ length: size }, (_, i) =>
      c.dtype === 'bool' ? Number(i % 3 === 0) : c.dtype === 'int32' ? i * 3 - 7 : i * 1.5 - 7,
    );
    const x = tf.tensor(values, c.x, c.dtype);
    const out = tf.gather(x, tf.tensor(c.indices, undefined, 'int32'), c.axis, c.batchDims);
    return { values: Array.from(out.dataSync()), shape: out.shape };
  });
}

describe('wasm GatherV2', () => {
  it('is installed by initBackend on wasm', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(registerWasmGatherKernel()).toEqual(['GatherV2']);
  });

  it.each(CASES)('matches cpu for x $x ($dtype), indices $indices, axis $axis', async (c) => {
    const { want, got } = await cpuThenWasm((tf) => gathered(tf, c));
    expect(got).toEqual(want);
  });

  it('refuses an index outside the axis, naming it', async () => {
    const tf = getTf();
    await initBackend('wasm');
    const x = tf.zeros([4, 2]);
    const indices = tf.tensor1d([1, 4], 'int32');
    expect(() => tf.gather(x, indices)).toThrow(/index value 4 is not in \[0, 3\]/);
    tf.dispose([x, indices]);
  });
});
