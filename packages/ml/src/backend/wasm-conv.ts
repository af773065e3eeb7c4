import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';
import { bridgeToCpu } from './wasm-fallbacks';
import { conv2DBackpropInput } from './wasm-conv-input';
import { convGeometry, sliceImages, type Conv2DBackpropFilterAttrs } from './wasm-conv-geometry';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

let registered: string[] | null = null;

/**
 * The transposed im2col of images [first, first + count) of x: row k = (fh·FW + fw)·CI + ci of
 * `cols` [K, count·OH·OW] holds, for every output position, the input value filter tap
 * (fh, fw, ci) multiplies there — 0 where the tap falls in the padding. Written row by row so
 * the writes are sequential; the matmul then reads it untransposed.
 */
function im2colT(
  x: Float32Array,
  cols: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  first: number,
  count: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowLength = count * outHeight * outWidth;
  const imageSize = inHeight * inWidth * inChannels;
  const rowStride = inWidth * inChannels;
  const colStride = strideWidth * inChannels;
  let row = 0;
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      // Output columns whose tap (fh, fw) lands inside the image: [owMin, owMax).
      const owMin = Math.min(outWidth, Math.max(0, Math.ceil((left - fw) / strideWidth)));
      const owMax = Math.max(
        owMin,
        Math.min(outWidth, Math.floor((inWidth - 1 + left - fw) / strideWidth) + 1),
      );
      for (let ci = 0; ci < inChannels; ci++, row++) {
        let o = row * rowLength;
        for (let b = first; b < first + count; b++) {
          const image = b * imageSize + ci;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight - top + fh;
            if (ih < 0 || ih >= inHeight) {
              cols.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            if (owMin > 0) cols.fill(0, o, o + owMin);
            let src = image + ih * rowStride + (owMin * strideWidth - left + fw) * inChannels;
            const end = o + owMax;
            for (let p = o + owMin; p < end; p++, src += colStride) cols[p] = x[src] as number;
            if (owMax < outWidth) cols.fill(0, end, o + outWidth);
            o += outWidth;
          }
        }
      }
    }
  }
}

/**
 * Conv2DBackpropFilter on wasm as im2col + one XNNPACK matmul per block of images:
 * dW [FH·FW·CI, CO] = colsᵀ [FH·FW·CI, N·OH·OW] · dy [N·OH·OW, CO], where colsᵀ is built
 * already transposed (the matmul must not transpose either operand to stay on XNNPACK, see
 * wasm-matmul.ts). tfjs-backend-wasm 4.22 has no such kernel; the cpu one it fell back to runs
 * a scalar loop through TensorBuffer.get (≈2 s per call for the second conv of cnn-small at
 * 32×32×3, batch 16). NCHW goes to the cpu kernel: tfjs layers emit NHWC.
 */
function conv2DBackpropFilter(fallback: KernelFunc, matMul: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32')
      return fallback(args);
    const backend = args.backend as WasmBackend;
    if (x.shape.some((d) => d === 0) || dy.shape.some((d) => d === 0)) return fallback(args);
    const { info, k, positions, co, perBlock } = convGeometry(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs,
    );
    let sum: TensorInfo | null = null;
    for (let first = 0; first < info.batchSize; first += perBlock) {
      const count = Math.min(perBlock, info.batchSize - first);
      const m = count * positions;
      const cols = backend.makeOutput([1, k, m], 'float32');
      const grad = sliceImages(backend, dy, first, count, positions * co);
      try {
        // Views of the heap are taken after the allocations: an allocation may grow the heap
        // and detach every earlier view.
        im2colT(
          backend.typedArrayFromHeap(x),
          backend.typedArrayFromHeap(cols),
          info,
          first,
          count,
        );
        const product = matMul({
          inputs: { a: cols, b: { ...grad, shape: [1, m, co] } },
          backend,
          attrs: { transposeA: false, transposeB: false },
        }) as TensorInfo;
        if (!sum) sum = product;
        else {
          const acc = backend.typedArrayFromHeap(sum);
          const add = backend.typedArrayFromHeap(product);
          for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (add[i] as number);
          backend.disposeData(product.dataId);
        }
      } catch (err) {
        if (sum) backend.disposeData(sum.dataId);
        throw err;
      } finally {
        backend.disposeData(cols.dataId);
        if (grad !== dy) backend.disposeData(grad.dataId);
      }
    }
    if (!sum) throw new Error('Conv2DBackpropFilter: no block computed');
    return { dataId: sum.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
  };
}

/**
 * Register the convolution gradient kernels above on the wasm backend. Call once the wasm
 * backend is active and before registerWasmFallbacks (which would otherwise bridge these names
 * to cpu). Returns the names registered; idempotent.
 */
export function registerWasmConvKernels(): string[] {
  if (registered) return registered;
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const done: string[] = [];
  if (matMul && !tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2DBackpropFilter(bridgeToCpu('Conv2DBackpropFilter'), matMul.kernelFunc),
    });
    done.push('Conv2DBackpropFilter');
  }
  const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (matMul && input && transpose) {
    // Re-registering keeps the original's setup hook, which binds the wasm function its
    // kernelFunc (still used for NCHW) calls.
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      ...input,
      kernelFunc: conv2DBackpropInput({
        original: input.kernelFunc,
        matMul: matMul.kernelFunc,
        transpose: transpose.kernelFunc,
        conv2d: tf.getKernel('Conv2D', 'wasm')?.kernelFunc ?? null,
      }),
    });
    done.push('Conv2DBackpropInput');
  }
  registered = done;
  return registered;
}
