import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { flipHorizontally, flipMask } from '../src/train/augment';

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
