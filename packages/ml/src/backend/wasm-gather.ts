import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';
import { swapWasmKernel } from './wasm-kernel-swap';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

/** Below this many elements a slice is copied by a loop: a subarray + set per slice costs more. */
const COPY_BY_SET = 16;

let registered: string[] | null = null;

/**
 * GatherV2 without batch dimensions as one copy per gathered slice. tfjs-backend-wasm's kernel
 * computes strides per element: 7.3 ms against 0.02 ms here for model.fit's batch of 32 rows of
 * 32×32×3 images (fit gathers every batch from the whole set), which was 14 % of a cnn-small
 * step once its gradients ran on XNNPACK. Index checks as the original kernel's; batchDims > 0
 * and strings go to it.
 */
function gatherV2(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    if (batchDims || x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    const backend = args.backend as WasmBackend;
    const parsed = tf.util.parseAxisParam(axis, x.shape)[0] ?? 0;
    const dim = x.shape[parsed] ?? 0;
    const rows = backend.readSync(indices.dataId) as Int32Array | Float32Array;
    for (const index of rows) {
      if (!(index >= 0 && index <= dim - 1))
        throw new Error(`GatherV2: the index value ${index} is not in [0, ${dim - 1}]`);
    }
    const outer = tf.util.sizeFromShape(x.shape.slice(0, parsed));
    const slice = tf.util.sizeFromShape(x.shape.slice(parsed + 1));
    const shape = [...x.shape.slice(0, parsed), ...indices.shape, ...x.shape.slice(parsed + 1)];
    const out = backend.makeOutput(shape, x.dtype);
    if (tf.util.sizeFromShape(shape) === 0) return out;
    // Views after the allocation: an allocation may grow the heap and detach earlier views.
    // typedArrayFromHeap returns the array type of the tensor's dtype (Int32Array for int32, …).
    const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array | Uint8Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array | Uint8Array;
    let o = 0;
    for (let b = 0; b < outer; b++) {
      const base = b * dim * slice;
      for (const index of rows) {
        const from = base + index * slice;
        if (slice >= COPY_BY_SET) dst.set(src.subarray(from, from + slice), o);
        else for (let i = 0; i < slice; i++) dst[o + i] = src[from + i] as number;
        o += slice;
      }
    }
    return out;
  };
}

/**
 * Replace the wasm backend's GatherV2 by the kernel above. Call once the wasm backend is active.
 * Returns the names replaced; idempotent.
 */
export function registerWasmGatherKernel(): string[] {
  // The original kernelFunc handles batchDims > 0.
  registered ??= swapWasmKernel('GatherV2', gatherV2);
  return registered;
}
