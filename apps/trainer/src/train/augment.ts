import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '@mlops/ml/backend';
import { mulberry32 } from '@mlops/ml/split';

/**
 * Which images of epoch `epoch` are flipped: about half, from a PRNG seeded by (seed, epoch)
 * alone, so a fit resumed at any epoch flips the same images as an uninterrupted one.
 */
export function flipMask(rows: number, seed: number, epoch: number): boolean[] {
  const random = mulberry32(((seed ^ 0x2545f491) + Math.imul(epoch + 1, 0x9e3779b9)) | 0);
  return Array.from({ length: rows }, () => random() < 0.5);
}

/** Flip the masked images of a [n, height, width, channels] batch left-right. */
export function flipHorizontally(
  images: tfTypes.Tensor,
  seed: number,
  epoch: number,
): tfTypes.Tensor {
  const tf = getTf();
  const rows = images.shape[0] ?? 0;
  const perImage = [rows, ...images.shape.slice(1).map(() => 1)];
  // tf.where does not broadcast a rank-1 condition over images: expand it to their shape.
  return tf.tidy(() => {
    const mask = tf.tensor(flipMask(rows, seed, epoch), perImage, 'bool');
    return tf.where(tf.broadcastTo(mask, images.shape), tf.reverse(images, 2), images);
  });
}
