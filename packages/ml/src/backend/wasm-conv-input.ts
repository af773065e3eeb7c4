import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';
import { convGeometry, sliceImages, type Conv2DBackpropInputAttrs } from './wasm-conv-geometry';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

/**
 * The inverse of im2col for images [first, first + count): every row m = (b·OH + oh)·OW + ow of
 * `cols` [count·OH·OW, FH·FW·CI] holds the gradient each filter tap sends back to the input
 * value it read; add it there (taps in the padding read nothing and send nothing back). `dx`
 * must hold zeros for those images beforehand.
 */
function col2im(
  cols: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  first: number,
  count: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const imageSize = inHeight * inWidth * inChannels;
  const k = filterHeight * filterWidth * inChannels;
  let m = 0;
  for (let b = first; b < first + count; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, m++) {
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight - top + fh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth - left + fw;
            if (iw < 0 || iw >= inWidth) continue;
            const src = m * k + (fh * filterWidth + fw) * inChannels;
            const dst = b * imageSize + (ih * inWidth + iw) * inChannels;
            for (let ci = 0; ci < inChannels; ci++)
              dx[dst + ci] = (dx[dst + ci] as number) + (cols[src + ci] as number);
          }
        }
      }
    }
  }
}

/**
 * With stride 1, the input gradient is itself a convolution: dx = conv2d(dy, W′) where
 * W′[fh, fw, co, ci] = W[FH−1−fh, FW−1−fw, ci, co] (the filter turned by 180° with its channels
 * swapped) and dy padded by FH−1−top above, FH−1−bottom below, likewise left and right. That
 * runs on tfjs-backend-wasm's forward Conv2D — XNNPACK, with no col2im in JS. Null when the
 * call is not of that form (a stride above 1, or padding wider than the filter, which would
 * need a negative padding here).
 */
function viaForwardConv(args: Parameters<KernelFunc>[0], conv2d: KernelFunc): TensorInfo | null {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const [fh, fw, ci, co] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    [fh, fw, ci, co],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const { top, bottom, left, right } = info.padInfo;
  const pads = [fh - 1 - top, fh - 1 - bottom, fw - 1 - left, fw - 1 - right];
  if (pads.some((p) => p < 0)) return null;
  const backend = args.backend as WasmBackend;
  const turned = backend.makeOutput([fh, fw, co, ci], 'float32');
  try {
    // Views after the allocation (see wasm-conv.ts): it may grow the heap.
    const w = backend.typedArrayFromHeap(filter);
    const t = backend.typedArrayFromHeap(turned);
    for (let h = 0; h < fh; h++) {
      for (let v = 0; v < fw; v++) {
        const src = ((fh - 1 - h) * fw + (fw - 1 - v)) * ci * co;
        const dst = (h * fw + v) * co * ci;
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++) t[dst + o * ci + i] = w[src + i * co + o] as number;
      }
    }
    const [padTop, padBottom, padLeft, padRight] = pads as [number, number, number, number];
    return conv2d({
      inputs: { x: dy, filter: turned },
      backend,
      attrs: {
        strides: 1,
        dilations: 1,
        dataFormat: 'NHWC',
        pad: [
          [0, 0],
          [padTop, padBottom],
          [padLeft, padRight],
          [0, 0],
        ],
      },
    }) as TensorInfo;
  } finally {
    backend.disposeData(turned.dataId);
  }
}

/**
 * Conv2DBackpropInput on wasm as one XNNPACK matmul and col2im per block of images:
 * dcols [N·OH·OW, FH·FW·CI] = dy [N·OH·OW, CO] · Wᵀ [CO, FH·FW·CI], with Wᵀ materialised (it
 * is small) so neither operand is transposed. tfjs-backend-wasm's own kernel is a scalar loop
 * in C++ (the original kernel, still used for NCHW); this one took the largest share of
 * cnn-small's kernel time once the filter gradient was fast. Stride 1 goes to the forward
 * convolution instead (`viaForwardConv`): 3× faster again for cnn-small's second conv.
 */
export function conv2DBackpropInput(kernels: {
  original: KernelFunc;
  matMul: KernelFunc;
  transpose: KernelFunc;
  conv2d: KernelFunc | null;
}): KernelFunc {
  const { original, matMul, transpose, conv2d } = kernels;
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32')
      return original(args);
    if (attrs.inputShape.some((d) => d === 0) || dy.shape.some((d) => d === 0))
      return original(args);
    const turned = conv2d ? viaForwardConv(args, conv2d) : null;
    if (turned) return turned;
    const backend = args.backend as WasmBackend;
    const { info, k, positions, co, perBlock } = convGeometry(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs,
    );
    const filterT = transpose({
      inputs: { x: { ...filter, shape: [k, co] } },
      backend,
      attrs: { perm: [1, 0] },
    }) as TensorInfo;
    const dx = backend.makeOutput([...attrs.inputShape], 'float32');
    backend.typedArrayFromHeap(dx).fill(0);
    try {
      for (let first = 0; first < info.batchSize; first += perBlock) {
        const count = Math.min(perBlock, info.batchSize - first);
        const m = count * positions;
        const grad = sliceImages(backend, dy, first, count, positions * co);
        let cols: TensorInfo | null = null;
        try {
          cols = matMul({
            inputs: { a: { ...grad, shape: [1, m, co] }, b: { ...filterT, shape: [1, co, k] } },
            backend,
            attrs: { transposeA: false, transposeB: false },
          }) as TensorInfo;
          col2im(
            backend.typedArrayFromHeap(cols),
            backend.typedArrayFromHeap(dx),
            info,
            first,
            count,
          );
        } finally {
          if (cols) backend.disposeData(cols.dataId);
          if (grad !== dy) backend.disposeData(grad.dataId);
        }
      }
    } catch (err) {
      backend.disposeData(dx.dataId);
      throw err;
    } finally {
      backend.disposeData(filterT.dataId);
    }
    return dx;
  };
}
