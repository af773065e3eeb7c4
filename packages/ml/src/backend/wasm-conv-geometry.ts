import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';

type TensorInfo = tf.TensorInfo;

export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export interface Conv2DBackpropInputAttrs extends Omit<Conv2DBackpropFilterAttrs, 'filterShape'> {
  inputShape: [number, number, number, number];
}

/**
 * Elements of one im2col block: bounds the scratch memory of a filter gradient (16 MiB), so a
 * large batch of large images is processed a few images at a time instead of all at once.
 */
const BLOCK_ELEMENTS = 1 << 22;

/**
 * The NHWC geometry both conv2d gradients work in: the conv info, the im2col row length `k`,
 * output positions per image, output channels, and how many images one block holds.
 */
export function convGeometry(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Omit<Conv2DBackpropFilterAttrs, 'filterShape' | 'dataFormat'>,
) {
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.outHeight * info.outWidth;
  const perBlock = Math.max(
    1,
    Math.min(info.batchSize, Math.floor(BLOCK_ELEMENTS / (k * positions))),
  );
  return { info, k, positions, co: info.outChannels, perBlock };
}

/** Images [first, first + count) of `t`: `t` itself when that is all of them, else a copy. */
export function sliceImages(
  backend: WasmBackend,
  t: TensorInfo,
  first: number,
  count: number,
  imageSize: number,
): TensorInfo {
  if (first === 0 && count === t.shape[0]) return t;
  const part = backend.makeOutput([count, ...t.shape.slice(1)], t.dtype);
  const all = backend.typedArrayFromHeap(t);
  backend
    .typedArrayFromHeap(part)
    .set(all.subarray(first * imageSize, (first + count) * imageSize));
  return part;
}
