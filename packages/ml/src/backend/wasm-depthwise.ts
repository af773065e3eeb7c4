import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap';
import { bridgeToCpu } from './wasm-fallbacks';
import { depthwiseBackpropInput } from './wasm-depthwise-input';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

interface DepthwiseBackpropFilterAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

let registered: string[] | null = null;

/**
 * DepthwiseConv2dNativeBackpropFilter (NHWC) as one pass over the output positions, summing
 * x·dy for every tap along contiguous channels, in doubles like the cpu kernel. Each channel
 * has its own tiny filter, so there is no single large matmul to hand XNNPACK (a batch of
 * per-channel matmuls takes wasm's slow batched path); a plain loop over the heap is what
 * pays. The cpu kernel wasm fell back to reads every value through TensorBuffer.get.
 * Dilations above 1 (which tfjs's gradient refuses anyway) go to the cpu kernel.
 */
function depthwiseBackpropFilter(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as DepthwiseBackpropFilterAttrs;
    const dilations = attrs.dilations ?? 1;
    const dilated = Array.isArray(dilations) ? dilations.some((d) => d !== 1) : dilations !== 1;
    if (dilated || x.dtype !== 'float32' || dy.dtype !== 'float32') return fallback(args);
    const backend = args.backend as WasmBackend;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
    const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const multiplier = outChannels / inChannels;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const sums = new Float64Array(filterHeight * filterWidth * outChannels);
    const out = backend.makeOutput([...attrs.filterShape], 'float32');
    // Views after the allocation: an allocation may grow the heap and detach earlier views.
    const xs = backend.typedArrayFromHeap(x);
    const g = backend.typedArrayFromHeap(dy);
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
              // dW [fh, fw, ci, m] lines up with dy's channel ci·multiplier + m.
              const s = (fh * filterWidth + fw) * outChannels;
              for (let ci = 0, c = 0; ci < inChannels; ci++) {
                const v = xs[p + ci] as number;
                for (let m = 0; m < multiplier; m++, c++)
                  sums[s + c] = (sums[s + c] as number) + v * (g[o + c] as number);
              }
            }
          }
        }
      }
    }
    backend.typedArrayFromHeap(out).set(sums);
    return out;
  };
}

/**
 * Register the depthwise gradients on the wasm backend (tfjs-backend-wasm 4.22 has none): the
 * filter gradient above, and the input gradient of wasm-depthwise-input.ts, which bridges to cpu
 * what it does not cover. Call once the wasm backend is active and before
 * registerWasmFallbacks, which would otherwise bridge both names whole. Returns the names
 * registered; idempotent.
 */
export function registerWasmDepthwiseKernels(): string[] {
  if (registered) return registered;
  const done: string[] = [];
  const name = 'DepthwiseConv2dNativeBackpropFilter';
  if (!tf.getKernel(name, 'wasm') && tf.getKernel(name, 'cpu')) {
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: depthwiseBackpropFilter(bridgeToCpu(name)),
    });
    done.push(name);
  }
  const input = 'DepthwiseConv2dNativeBackpropInput';
  const forward = tf.getKernel('DepthwiseConv2dNative', 'wasm');
  if (!tf.getKernel(input, 'wasm') && tf.getKernel(input, 'cpu') && forward) {
    tf.registerKernel({
      kernelName: input,
      backendName: 'wasm',
      kernelFunc: depthwiseBackpropInput(bridgeToCpu(input), forward.kernelFunc),
    });
    done.push(input);
  }
  registered = done;
  return registered;
}
