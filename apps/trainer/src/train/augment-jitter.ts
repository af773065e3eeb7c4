import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '@mlops/ml/backend';
import { mulberry32 } from '@mlops/ml/split';

/**
 * How a decoded pixel v (0–255) became the model's input value of channel c:
 * `(v * scale - mean[c]) / std[c]`. Augmentations that speak in pixels (a brightness shift, a
 * clip to the pixel range) go through it, so they mean the same for a [0, 1] CNN and a base
 * model normalized with ImageNet statistics.
 */
export interface PixelScaling {
  scale: number;
  mean: readonly number[];
  std: readonly number[];
}

/** A PRNG for one augmentation of one epoch: (seed, epoch, salt) alone decide its draws. */
function epochRandom(seed: number, epoch: number, salt: number): () => number {
  return mulberry32(((seed ^ salt) + Math.imul(epoch + 1, 0x9e3779b9)) | 0);
}

/** Per image of epoch `epoch`: the [top, left] of its crop window in the padded image. */
export function cropOffsets(rows: number, pad: number, seed: number, epoch: number): number[][] {
  const random = epochRandom(seed, epoch, 0x68e31da4);
  const draw = () => Math.floor(random() * (2 * pad + 1));
  return Array.from({ length: rows }, () => [draw(), draw()]);
}

/** Per image of epoch `epoch`: its brightness delta, a share of the pixel range in [-max, max]. */
export function brightnessDeltas(rows: number, max: number, seed: number, epoch: number): number[] {
  const random = epochRandom(seed, epoch, 0x1b873593);
  return Array.from({ length: rows }, () => (random() * 2 - 1) * max);
}

/**
 * Pad-and-crop a [n, height, width, channels] batch: mirror `pad` pixels onto each side, then cut
 * each image's window of the original size at its seeded offset. Mirroring, not zeros: a zero
 * is black for a [0, 1] model but mid-grey for a normalized one.
 */
export function randomCrop(
  images: tfTypes.Tensor,
  pad: number,
  seed: number,
  epoch: number,
): tfTypes.Tensor {
  const tf = getTf();
  const [rows = 0, height = 1, width = 1] = images.shape;
  // Mirroring needs pad < side; a tiny image is padded by what it allows.
  const p = Math.min(pad, height - 1, width - 1);
  if (p < 1) return images.clone();
  return tf.tidy(() => {
    const padded = tf.mirrorPad(
      images as tfTypes.Tensor4D,
      [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      'reflect',
    );
    // Pixel-aligned boxes in normalized corners (the padded image spans 0..1): cropAndResize
    // then samples exactly the window's pixels, a crop with no interpolation.
    const ph = height + 2 * p - 1;
    const pw = width + 2 * p - 1;
    const boxes = cropOffsets(rows, p, seed, epoch).flatMap(([top = 0, left = 0]) => [
      top / ph,
      left / pw,
      (top + height - 1) / ph,
      (left + width - 1) / pw,
    ]);
    return tf.image.cropAndResize(
      padded,
      tf.tensor2d(boxes, [rows, 4]),
      tf.range(0, rows, 1, 'int32'),
      [height, width],
    );
  });
}

/**
 * Shift each image of a batch by its seeded brightness delta (a share of the 0–255 range),
 * clipped to the range a decoded pixel can take: the same change as editing the photo.
 */
export function jitterBrightness(
  images: tfTypes.Tensor,
  max: number,
  scaling: PixelScaling,
  seed: number,
  epoch: number,
): tfTypes.Tensor {
  const tf = getTf();
  const rows = images.shape[0] ?? 0;
  const channels = images.shape[images.shape.length - 1] ?? 1;
  const perChannel = (f: (c: number) => number) =>
    tf.tensor1d(Array.from({ length: channels }, (_, c) => f(c)));
  const mean = (c: number) => scaling.mean[c] ?? 0;
  const std = (c: number) => scaling.std[c] ?? 1;
  return tf.tidy(() => {
    const deltas = tf.tensor(brightnessDeltas(rows, max, seed, epoch), [
      rows,
      ...images.shape.slice(1).map(() => 1),
    ]);
    const unit = perChannel((c) => (255 * scaling.scale) / std(c));
    const low = perChannel((c) => -mean(c) / std(c));
    const high = perChannel((c) => (255 * scaling.scale - mean(c)) / std(c));
    return tf.minimum(tf.maximum(tf.add(images, tf.mul(deltas, unit)), low), high);
  });
}
