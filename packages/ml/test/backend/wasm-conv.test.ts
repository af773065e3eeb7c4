import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend, registerWasmConvKernels } from '../../src/backend';
import { disposeModel } from '../../src/presets';
import { buildImageModel } from '../../src/presets/image';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
type Case = {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  rounding?: 'floor' | 'round' | 'ceil';
};

const CASES: Case[] = [
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [3, 9, 7, 2], filter: [3, 2, 2, 5], strides: 2, pad: 'same' },
  { x: [3, 9, 7, 2], filter: [3, 2, 2, 5], strides: 2, pad: 'valid' },
  { x: [1, 10, 11, 4], filter: [5, 5, 4, 3], strides: [1, 3], pad: 'same' },
  { x: [2, 6, 6, 1], filter: [1, 1, 1, 6], strides: 1, pad: 'valid' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, rounding: 'floor' },
  { x: [2, 7, 8, 3], filter: [4, 3, 3, 2], strides: 3, pad: 2, rounding: 'ceil' },
  {
    x: [2, 6, 5, 2],
    filter: [3, 3, 2, 3],
    strides: [2, 1],
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
  // Stride 1 runs the input gradient as a forward conv: numeric, asymmetric explicit padding,
  // and padding wider than the filter reaches (no forward conv for it: the im2col path).
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1 },
  {
    x: [2, 6, 7, 2],
    filter: [3, 2, 2, 3],
    strides: 1,
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
  },
  { x: [1, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: 3 },
  { x: [2, 9, 9, 5], filter: [2, 2, 5, 7], strides: 1, pad: 'same' },
  // A filter wider than the padded image is in places: taps wholly in the padding.
  { x: [1, 3, 3, 2], filter: [5, 5, 2, 2], strides: 1, pad: 'same' },
  // 1.2M elements of im2col per image: the gradient is summed over blocks of 3 images and 1.
  { x: [4, 64, 64, 128], filter: [3, 3, 128, 1], strides: 2, pad: 'same' },
];

/** Deterministic, non-symmetric values so a misplaced tap cannot pass by accident. */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed) * 2);
}

type Gradients = Record<'dw' | 'dx', { values: Float32Array; shape: number[] }>;

/** Both gradients of conv2d, straight from the active backend's kernels. */
function gradients(tf: typeof tfTypes, c: Case): Gradients {
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
    const probe = tf.conv2d(x, filter, c.strides, c.pad, 'NHWC', 1, c.rounding);
    const dy = tf.tensor(values(probe.size, 2), probe.shape);
    const common = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      ...(c.rounding ? { dimRoundingMode: c.rounding } : {}),
    };
    const dw = tf
      .engine()
      .runKernel<tfTypes.Tensor>(
        'Conv2DBackpropFilter',
        { x, dy },
        { ...common, filterShape: c.filter },
      );
    const dx = tf
      .engine()
      .runKernel<tfTypes.Tensor>(
        'Conv2DBackpropInput',
        { dy, filter },
        { ...common, inputShape: c.x },
      );
    const read = (t: tfTypes.Tensor) => ({ values: t.dataSync() as Float32Array, shape: t.shape });
    return { dw: read(dw), dx: read(dx) };
  });
}

/** The largest difference relative to the largest magnitude of the expected values. */
function relativeError(got: Float32Array, want: Float32Array): number {
  let scale = 0;
  let worst = 0;
  want.forEach((w, i) => {
    scale = Math.max(scale, Math.abs(w));
    const d = Math.abs((got[i] ?? NaN) - w);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  });
  expect(scale).toBeGreaterThan(0);
  return worst / scale;
}

describe('wasm convolution gradient kernels', () => {
  it('are installed by initBackend on wasm', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(registerWasmConvKernels()).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput']);
  });

  it.each(CASES)(
    'match cpu for x $x, filter $filter, strides $strides, pad $pad',
    async (c) => {
      const tf = getTf();
      await initBackend('cpu');
      const want = gradients(tf, c);
      await initBackend('wasm');
      const before = tf.memory().numTensors;
      const dataIds = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      const got = gradients(tf, c);
      // Scratch im2col blocks, partial products and the transposed filter are freed inside.
      expect(tf.memory().numTensors).toBe(before);
      expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(dataIds);
      expect(got.dw.shape).toEqual(c.filter);
      expect(got.dx.shape).toEqual(c.x);
      expect(relativeError(got.dw.values, want.dw.values)).toBeLessThan(1e-4);
      expect(relativeError(got.dx.values, want.dx.values)).toBeLessThan(1e-4);
    },
    60_000,
  );
});

describe('cnn-small on wasm', () => {
  it('follows the loss trajectory of cpu, batch by batch', async () => {
    const tf = getTf();
    const [n, side] = [48, 12];
    const x = values(n * side * side * 3, 4).map((v) => (v + 2) / 4);
    const y = Float32Array.from({ length: n * 3 }, (_, i) =>
      i % 3 === Math.floor(i / 3) % 3 ? 1 : 0,
    );
    const losses: Record<string, number[]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend(backend);
      const baseline = tf.memory().numTensors;
      const model = buildImageModel({
        preset: 'cnn-small',
        imageShape: [side, side, 3],
        classes: 3,
        hyperparameters: { learningRate: 0.01, dropout: 0, l2: 0.001 },
        seed: 3,
      });
      const xs = tf.tensor4d(x, [n, side, side, 3]);
      const ys = tf.tensor2d(y, [n, 3]);
      const trajectory: number[] = [];
      await model.fit(xs, ys, {
        epochs: 2,
        batchSize: 8,
        shuffle: false,
        verbose: 0,
        callbacks: { onBatchEnd: (_batch, logs) => void trajectory.push(logs?.loss ?? NaN) },
      });
      tf.dispose([xs, ys]);
      disposeModel(model);
      expect(tf.memory().numTensors).toBe(baseline);
      losses[backend] = trajectory;
    }
    const [cpu = [], wasm = []] = [losses.cpu, losses.wasm];
    expect(wasm).toHaveLength(12);
    // Training moved: a trajectory that stays put would match trivially.
    expect(Math.abs((cpu.at(-1) ?? 0) - (cpu[0] ?? 0))).toBeGreaterThan(1e-3);
    wasm.forEach((loss, i) => expect(loss).toBeCloseTo(cpu[i] ?? NaN, 4));
  }, 60_000);
});
