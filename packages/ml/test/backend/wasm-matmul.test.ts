import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend, registerWasmMatMulFastPath } from '../../src/backend';

/** Deterministic, non-symmetric values so a wrong transpose cannot pass by accident. */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed) * 2);
}

type Case = { a: number[]; b: number[]; ta: boolean; tb: boolean; batched?: boolean };
const CASES: Case[] = [
  { a: [7, 5], b: [5, 3], ta: false, tb: false },
  { a: [7, 5], b: [3, 5], ta: false, tb: true },
  { a: [5, 7], b: [5, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 5], ta: true, tb: true },
  { a: [1, 6, 4], b: [1, 2, 4], ta: false, tb: true },
  // A batch of matrices is left on the original path. Its fused form is not compared: the
  // wasm slow path adds bias[min(i·cols + j, len − 1)] instead of bias[j] (a tfjs 4.22 bug,
  // which the fast path above avoids for single matrices).
  { a: [3, 4, 6], b: [3, 5, 4], ta: true, tb: true, batched: true },
];

/** matMul, fused matMul (bias + relu) and their gradients on the active backend. */
function compute(tf: typeof tfTypes, c: Case): number[][] {
  return tf.tidy(() => {
    const a = tf.tensor(
      values(
        c.a.reduce((x, y) => x * y),
        1,
      ),
      c.a,
    );
    const b = tf.tensor(
      values(
        c.b.reduce((x, y) => x * y),
        2,
      ),
      c.b,
    );
    const outCols = c.tb ? (c.b.at(-2) ?? 1) : (c.b.at(-1) ?? 1);
    const bias = tf.tensor1d(values(outCols, 3));
    const plain = tf.matMul(a, b, c.ta, c.tb);
    const fused = tf.fused.matMul({
      a,
      b,
      transposeA: c.ta,
      transposeB: c.tb,
      bias,
      activation: 'relu',
    });
    const grads = tf.grads((x: tfTypes.Tensor, y: tfTypes.Tensor) =>
      tf.matMul(x, y, c.ta, c.tb).square().sum(),
    )([a, b]);
    return [plain, fused, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

describe('wasm matmul fast path', () => {
  it('is installed by initBackend on wasm', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(registerWasmMatMulFastPath()).toEqual(['BatchMatMul', '_FusedMatMul']);
  });

  it.each(CASES)('matches cpu for a $a × b $b (transposeA $ta, transposeB $tb)', async (c) => {
    const tf = getTf();
    await initBackend('cpu');
    const expected = compute(tf, c);
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const actual = compute(tf, c);
    // The transposed copies are freed inside the kernel: nothing leaks, on either side.
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBeLessThanOrEqual(
      before,
    );
    actual.forEach((got, i) => {
      if (c.batched && i === 1) return;
      const want = expected[i] ?? [];
      expect(got).toHaveLength(want.length);
      got.forEach((v, j) => expect(v).toBeCloseTo(want[j] ?? NaN, 3));
    });
  });
});
