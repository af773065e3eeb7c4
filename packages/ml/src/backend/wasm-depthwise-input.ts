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
 * DepthwiseConv2dNativeBackpropInput on wasm. With stride 1, dilation 1 and one filter per
 * channel (channel multiplier 1) — a MobileNet block's 3×3 depthwise layers but its
 * downsampling ones — the input gradient is itself a depthwise convolution: of dy by each
 * channel's filter turned by 180°, the padding mirrored (as wasm-conv-input.ts does for conv2d).
 * That runs on tfjs-backend-wasm's forward DepthwiseConv2dNative (XNNPACK) instead of the cpu
 * kernel behind a bridge, which copies dy and the filter to cpu and dx back on every call.
 * Every other call goes to `fallback` (that bridge).
 */
export function depthwiseBackpropInput(fallback: KernelFunc, depthwise: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as DepthwiseBackpropInputAttrs;
    const [fh, fw, channels, multiplier] = filter.shape as [number, number, number, number];
    const dilations = attrs.dilations ?? 1;
    const plain = (Array.isArray(dilations) ? dilations : [dilations]).every((d) => d === 1);
    if (!plain || multiplier !== 1 || dy.dtype !== 'float32' || filter.dtype !== 'float32')
      return fallback(args);
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
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return fallback(args);
    const { top, bottom, left, right } = info.padInfo;
    const pads = [fh - 1 - top, fh - 1 - bottom, fw - 1 - left, fw - 1 - right];
    if (pads.some((p) => p < 0)) return fallback(args);
    const backend = args.backend as WasmBackend;
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
