import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '@mlops/ml/backend';
import { mulberry32 } from '@mlops/ml/split';
import type { Hyperparameters } from '@mlops/contracts';
import { jitterBrightness, randomCrop, type PixelScaling } from './augment-jitter';

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

/**
 * The augmentation of an image run's epoch from its hyperparameters — flip, then crop, then
 * brightness, each seeded by (seed, epoch) — or undefined when none is asked for.
 */
export function imageAugmentation(
  hp: Pick<Hyperparameters, 'horizontalFlip' | 'randomCrop' | 'brightness'>,
  seed: number,
  scaling: PixelScaling,
): ((xs: tfTypes.Tensor, epoch: number) => tfTypes.Tensor) | undefined {
  const steps: Array<(xs: tfTypes.Tensor, epoch: number) => tfTypes.Tensor> = [];
  if (hp.horizontalFlip) steps.push((xs, epoch) => flipHorizontally(xs, seed, epoch));
  const { randomCrop: pad, brightness } = hp;
  if (pad) steps.push((xs, epoch) => randomCrop(xs, pad, seed, epoch));
  if (brightness) steps.push((xs, epoch) => jitterBrightness(xs, brightness, scaling, seed, epoch));
  if (steps.length === 0) return undefined;
  return (xs, epoch) =>
    steps.reduce((current, step) => {
      const next = step(current, epoch);
      // The caller owns (and disposes) the batch it passed; intermediates are ours.
      if (current !== xs) current.dispose();
      return next;
    }, xs);
}
