import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';

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
 * first position of its largest input (row-major, strict >, as the cpu kernel picks it), all
 * channels of a window at once so reads and writes run along contiguous channels.
 * tfjs-backend-wasm's kernel visits every input position and searches the windows covering it:
 * 6.6 ms against 3.6 ms here for cnn-small's first pool at 32×32×3, batch 16 — the largest
 * kernel of its step once the conv gradients ran on XNNPACK (wasm-conv.ts).
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
    const best = new Float32Array(channels);
    const at = new Int32Array(channels);
    const imageSize = inHeight * inWidth * channels;
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
          best.fill(-Infinity);
          at.fill(-1);
          for (let h = hMin; h < hMax; h++) {
            for (let w = wMin; w < wMax; w++) {
              const p = b * imageSize + (h * inWidth + w) * channels;
              for (let c = 0; c < channels; c++) {
                const v = x[p + c] as number;
                if (v > (best[c] as number)) {
                  best[c] = v;
                  at[c] = p + c;
                }
              }
            }
          }
          for (let c = 0; c < channels; c++) {
            const i = at[c] as number;
            if (i >= 0) dx[i] = (dx[i] as number) + (g[o + c] as number);
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
  if (registered) return registered;
  const original = tf.getKernel('MaxPoolGrad', 'wasm');
  const done: string[] = [];
  if (original) {
    // Re-registering keeps the original's setup hook (its kernelFunc is the way out for dtypes
    // other than float32).
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel({ ...original, kernelFunc: maxPoolGrad(original.kernelFunc) });
    done.push('MaxPoolGrad');
  }
  registered = done;
  return registered;
}
