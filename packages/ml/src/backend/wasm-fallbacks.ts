import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;

let registered: string[] | null = null;

/**
 * The wasm backend ships without some kernels the cpu backend has — notably the gradients of
 * conv2d, depthwise conv2d and embeddings (Conv2DBackpropFilter, UnsortedSegmentSum, …) — so
 * any preset using those layers would crash on wasm. For every kernel cpu has and wasm lacks,
 * register a wasm kernel that copies its inputs to the cpu backend, runs the cpu kernel and
 * copies the outputs back. Those ops run at cpu speed; everything else stays on wasm.
 * Returns the names of the bridged kernels; idempotent.
 */
/**
 * A wasm kernel that runs the cpu backend's kernel of that name: it copies its inputs to the cpu
 * backend, runs the cpu kernel and copies the outputs back. Also the way out for the wasm kernels
 * of this folder when a call is outside what they cover.
 */
export function bridgeToCpu(kernelName: string): tf.KernelConfig['kernelFunc'] {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) throw new Error(`no cpu kernel ${kernelName} to bridge wasm to`);
  return ({ inputs, backend: wasmBackend, attrs }) => {
    const backend = wasmBackend as tf.KernelBackend;
    const cpu = tf.findBackend('cpu');
    if (!cpu) throw new Error(`cpu backend unavailable for ${kernelName} on wasm`);
    const cpuInputs: Record<string, TensorInfo> = {};
    const written: TensorInfo[] = [];
    for (const [name, info] of Object.entries(inputs)) {
      if (!info) continue;
      const moved = {
        dataId: cpu.write(backend.readSync(info.dataId), info.shape, info.dtype),
        shape: info.shape,
        dtype: info.dtype,
      };
      cpuInputs[name] = moved;
      written.push(moved);
    }
    try {
      const out = cpuKernel.kernelFunc({
        inputs: cpuInputs,
        backend: cpu,
        ...(attrs ? { attrs } : {}),
      });
      const back = (o: TensorInfo): TensorInfo => {
        const values = cpu.readSync(o.dataId);
        cpu.disposeData(o.dataId);
        return {
          dataId: backend.write(values, o.shape, o.dtype),
          shape: o.shape,
          dtype: o.dtype,
        };
      };
      return Array.isArray(out) ? out.map(back) : back(out);
    } finally {
      for (const info of written) cpu.disposeData(info.dataId);
    }
  };
}

/**
 * The wasm backend ships without some kernels the cpu backend has — notably the gradients of
 * depthwise conv2d and embeddings (DepthwiseConv2dNativeBackpropFilter, UnsortedSegmentSum, …)
 * — so any model using those layers would crash on wasm. For every kernel cpu has and wasm
 * lacks, register a wasm kernel that bridges to the cpu kernel (`bridgeToCpu`). Those ops run
 * at cpu speed; everything else stays on wasm. Kernels registered on wasm before this call
 * (wasm-conv.ts) are left alone. Returns the names of the bridged kernels; idempotent.
 */
export function registerWasmFallbacks(): string[] {
  if (registered) return registered;
  const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const missing = tf.getKernelsForBackend('cpu').filter((k) => !wasmKernels.has(k.kernelName));
  for (const cpuKernel of missing) {
    tf.registerKernel({
      kernelName: cpuKernel.kernelName,
      backendName: 'wasm',
      kernelFunc: bridgeToCpu(cpuKernel.kernelName),
    });
  }
  registered = missing.map((k) => k.kernelName);
  return registered;
}
