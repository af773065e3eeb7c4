import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

interface DepthwiseBackpropInputAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * The input gradient of any other depthwise call (strides, channel multipliers) as one pass over
 * the output positions: every tap sends dy·w back to the input value it read, along contiguous
 * channels (dy's channel ci·M + m comes from input channel ci), like the filter gradient of
 * wasm-depthwise.ts. Taps in the padding read nothing and send nothing back.
 */
function scatter(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const multiplier = outChannels / inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  // Views after the allocation: it may grow the heap and detach earlier views.
  const dx = backend.typedArrayFromHeap(out).fill(0);
  const g = backend.typedArrayFromHeap(dy);
  const w = backend.typedArrayFromHeap(filter);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, o += outChannels) {
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight - top + fh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth - left + fw;
            if (iw < 0 || iw >= inWidth) continue;
            const p = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const t = (fh * filterWidth + fw) * outChannels;
            for (let ci = 0, c = 0; ci < inChannels; ci++) {
              let sum = 0;
              for (let m = 0; m < multiplier; m++, c++)
                sum += (g[o + c] as number) * (w[t + c] as number);
              dx[p + ci] = (dx[p + ci] as number) + sum;
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * DepthwiseConv2dNativeBackpropInput on wasm. With stride 1, dilation 1 and one filter per
 * channel (channel multiplier 1) — a MobileNet block's 3×3 depthwise layers but its
 * downsampling ones — the input gradient is itself a depthwise convolution: of dy by each
 * channel's filter turned by 180°, the padding mirrored (as wasm-conv-input.ts does for conv2d).
 * That runs on tfjs-backend-wasm's forward DepthwiseConv2dNative (XNNPACK) instead of the cpu
 * kernel behind a bridge, which copies dy and the filter to cpu and dx back on every call.
 * Other strides and multipliers take `scatter`; dilations and other dtypes `fallback` (that
 * bridge).
 */
export function depthwiseBackpropInput(fallback: KernelFunc, depthwise: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as DepthwiseBackpropInputAttrs;
    const [fh, fw, channels, multiplier] = filter.shape as [number, number, number, number];
    const dilations = attrs.dilations ?? 1;
    const plain = (Array.isArray(dilations) ? dilations : [dilations]).every((d) => d === 1);
    if (!plain || dy.dtype !== 'float32' || filter.dtype !== 'float32') return fallback(args);
    if (attrs.inputShape.some((d) => d === 0)) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      [fh, fw, channels, multiplier],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const backend = args.backend as WasmBackend;
    const { top, bottom, left, right } = info.padInfo;
    const pads = [fh - 1 - top, fh - 1 - bottom, fw - 1 - left, fw - 1 - right];
    const unit = info.strideHeight === 1 && info.strideWidth === 1 && multiplier === 1;
    if (!unit || pads.some((p) => p < 0)) return scatter(backend, dy, filter, info);
    const turned = backend.makeOutput([fh, fw, channels, 1], 'float32');
    try {
      // Views after the allocation: it may grow the heap and detach earlier views.
      const w = backend.typedArrayFromHeap(filter);
      const t = backend.typedArrayFromHeap(turned);
      const taps = fh * fw;
      for (let tap = 0; tap < taps; tap++) {
        // Tap (h, w) takes tap (FH−1−h, FW−1−w): the reversed order of a row-major tap index.
        t.set(w.subarray((taps - 1 - tap) * channels, (taps - tap) * channels), tap * channels);
      }
      const [padTop, padBottom, padLeft, padRight] = pads as [number, number, number, number];
      return depthwise({
        inputs: { x: dy, filter: turned },
        backend,
        attrs: {
          strides: 1,
          dilations: 1,
          pad: [
            [0, 0],
            [padTop, padBottom],
            [padLeft, padRight],
            [0, 0],
          ],
        },
      });
    } finally {
      backend.disposeData(turned.dataId);
    }
  };
}
