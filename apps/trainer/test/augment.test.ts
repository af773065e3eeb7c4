import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { flipHorizontally, flipMask, imageAugmentation } from '../src/train/augment';
import {
  brightnessDeltas,
  cropOffsets,
  jitterBrightness,
  randomCrop,
} from '../src/train/augment-jitter';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('seeded horizontal flips of an epoch', () => {
  it('flips left-right exactly the images its (seed, epoch) mask names', async () => {
    const tf = getTf();
    const rows = 40;
    // Image i is 1×3×1 [i, i + 100, i + 200]: a flip reverses its three columns.
    const data = Array.from({ length: rows }, (_, i) => [i, i + 100, i + 200]).flat();
    const images = tf.tensor4d(data, [rows, 1, 3, 1]);
    const flipped = flipHorizontally(images, 7, 3);
    const out = Array.from(await flipped.data());
    tf.dispose([images, flipped]);
    const mask = flipMask(rows, 7, 3);
    for (let i = 0; i < rows; i++)
      expect(out.slice(3 * i, 3 * i + 3)).toEqual(
        mask[i] ? [i + 200, i + 100, i] : [i, i + 100, i + 200],
      );
    // About half, not none or all.
    expect(mask.filter(Boolean).length).toBeGreaterThan(rows / 5);
    expect(mask.filter(Boolean).length).toBeLessThan(rows - rows / 5);
  });

  it('is the same for the same (seed, epoch) and differs between epochs', () => {
    expect(flipMask(64, 7, 3)).toEqual(flipMask(64, 7, 3));
    expect(flipMask(64, 7, 3)).not.toEqual(flipMask(64, 7, 4));
    expect(flipMask(64, 7, 3)).not.toEqual(flipMask(64, 8, 3));
  });
});

/** The source index of padded index i of a side of 4, mirrored without repeating the edge. */
const mirror = (i: number) => (i < 0 ? -i : i > 3 ? 6 - i : i);

describe('seeded pad-and-crop and brightness jitter', () => {
  it('cuts each image at its seeded offset in the mirrored padding', async () => {
    const tf = getTf();
    // Two 4×4 one-channel images whose pixel (y, x) is 10·y + x (+100 for the second).
    const data = [0, 100].flatMap((base) =>
      Array.from({ length: 16 }, (_, i) => base + 10 * Math.floor(i / 4) + (i % 4)),
    );
    const images = tf.tensor4d(data, [2, 4, 4, 1]);
    const cropped = randomCrop(images, 1, 11, 2);
    const out = Array.from(await cropped.data());
    tf.dispose([images, cropped]);
    const offsets = cropOffsets(2, 1, 11, 2);
    for (const [n, [top, left]] of offsets.entries()) {
      const expected: number[] = [];
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 4; x++)
          expected.push(100 * n + 10 * mirror(top! + y - 1) + mirror(left! + x - 1));
      expect(out.slice(n * 16, n * 16 + 16).map((v) => Math.round(v))).toEqual(expected);
    }
  });

  it('shifts brightness by the seeded delta in pixel units, clipped to the pixel range', async () => {
    const tf = getTf();
    // Input = (v / 255 - 0.5) / 0.25: a normalized model; 0 and 255 map to -2 and 2.
    const scaling = { scale: 1 / 255, mean: [0.5], std: [0.25] };
    const images = tf.tensor4d([0, 1.9, -1.9, 0], [4, 1, 1, 1]);
    const out = Array.from(await jitterBrightness(images, 0.3, scaling, 5, 0).data());
    images.dispose();
    const deltas = brightnessDeltas(4, 0.3, 5, 0);
    [0, 1.9, -1.9, 0].forEach((x, i) => {
      const shifted = x + (deltas[i]! * 255 * (1 / 255)) / 0.25;
      expect(out[i]).toBeCloseTo(Math.min(2, Math.max(-2, shifted)), 5);
    });
    expect(new Set(deltas).size).toBe(4);
    expect(deltas.every((d) => Math.abs(d) <= 0.3)).toBe(true);
  });

  it('draws the same offsets and deltas for the same (seed, epoch) only', () => {
    expect(cropOffsets(32, 3, 7, 1)).toEqual(cropOffsets(32, 3, 7, 1));
    expect(cropOffsets(32, 3, 7, 1)).not.toEqual(cropOffsets(32, 3, 7, 2));
    expect(brightnessDeltas(32, 0.2, 7, 1)).toEqual(brightnessDeltas(32, 0.2, 7, 1));
    expect(brightnessDeltas(32, 0.2, 7, 1)).not.toEqual(brightnessDeltas(32, 0.2, 8, 1));
  });

  it('composes the asked-for steps and leaves the caller its batch', () => {
    const tf = getTf();
    const none = imageAugmentation({}, 1, { scale: 1 / 255, mean: [], std: [] });
    expect(none).toBeUndefined();
    const all = imageAugmentation({ horizontalFlip: true, randomCrop: 1, brightness: 0.1 }, 1, {
      scale: 1 / 255,
      mean: [],
      std: [],
    })!;
    const images = tf.randomUniform([3, 5, 5, 3]);
    const before = tf.memory().numTensors;
    const out = all(images, 0);
    expect(out.shape).toEqual([3, 5, 5, 3]);
    expect(images.isDisposed).toBe(false);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });
});
