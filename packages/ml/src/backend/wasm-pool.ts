import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';
import { swapWasmKernel } from './wasm-kernel-swap';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let registered: string[] | null = null;

/**
 * MaxPoolGrad (NHWC) as one pass over the pooling windows: each window sends its dy to the
 * first position of its largest input (row-major, strict >, as the cpu kernel picks it), one
 * channel at a time in scalar locals, whole 2×2 windows (the usual pool) unrolled.
 * tfjs-backend-wasm's kernel visits every input position and searches the windows covering it:
 * 6.6 ms against 3.6 ms here for cnn-small's first pool at 32×32×3, batch 16 — the largest
 * kernel of its step once the conv gradients ran on XNNPACK (wasm-conv.ts). Keeping per-window
 * arrays of the running maxima (an earlier version) cost a third more than the scalars.
 */
function maxPoolGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') return original(args);
    const backend = args.backend as WasmBackend;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const out = backend.makeOutput([...input.shape], 'float32');
    // Views after the allocation: an allocation may grow the heap and detach earlier views.
    const dx = backend.typedArrayFromHeap(out).fill(0);
    const x = backend.typedArrayFromHeap(input);
    const g = backend.typedArrayFromHeap(dy);
    const imageSize = inHeight * inWidth * channels;
    const rowStride = inWidth * channels;
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const h0 = oh * strideHeight - top;
        const hMin = Math.max(0, h0);
        const hMax = Math.min(inHeight, h0 + filterHeight);
        for (let ow = 0; ow < outWidth; ow++, o += channels) {
          const w0 = ow * strideWidth - left;
          const wMin = Math.max(0, w0);
          const wMax = Math.min(inWidth, w0 + filterWidth);
          const corner = b * imageSize + hMin * rowStride + wMin * channels;
          const rowEnd = (wMax - wMin) * channels;
          const end = corner + (hMax - hMin) * rowStride;
          if (hMax - hMin === 2 && wMax - wMin === 2) {
            // The common 2×2 window, unrolled (same order and ties as the general loop).
            for (let c = 0; c < channels; c++) {
              const p0 = corner + c;
              const p1 = p0 + channels;
              const p2 = p0 + rowStride;
              const p3 = p2 + channels;
              let best = -Infinity;
              let at = -1;
              let v = x[p0] as number;
              if (v > best) {
                best = v;
                at = p0;
              }
              v = x[p1] as number;
              if (v > best) {
                best = v;
                at = p1;
              }
              v = x[p2] as number;
              if (v > best) {
                best = v;
                at = p2;
              }
              if ((x[p3] as number) > best) at = p3;
              if (at >= 0) dx[at] = (dx[at] as number) + (g[o + c] as number);
            }
            continue;
          }
          // One channel at a time, in scalars: no per-window state to reset, and the window's
          // few positions stay in cache across the channels.
          for (let c = 0; c < channels; c++) {
            let best = -Infinity;
            let at = -1;
            for (let row = corner + c; row < end; row += rowStride) {
              const stop = row + rowEnd;
              for (let p = row; p < stop; p += channels) {
                const v = x[p] as number;
                if (v > best) {
                  best = v;
                  at = p;
                }
              }
            }
            if (at >= 0) dx[at] = (dx[at] as number) + (g[o + c] as number);
          }
        }
      }
    }
    return out;
  };
}

/**
 * Replace the wasm backend's MaxPoolGrad by the kernel above. Call once the wasm backend is
 * active. Returns the names replaced; idempotent.
 */
export function registerWasmPoolKernels(): string[] {
  // The original kernelFunc is the way out for dtypes other than float32.
  registered ??= swapWasmKernel('MaxPoolGrad', maxPoolGrad);
  return registered;
}
