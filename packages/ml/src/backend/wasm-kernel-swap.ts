import * as tf from '@tensorflow/tfjs';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/**
 * Replace the wasm backend's kernel `name` by `wrap(original)`: re-registering keeps the
 * original's setup hook, and the original kernelFunc stays the way out for the calls the
 * wrapper does not take. Returns [name], or [] when wasm has no such kernel.
 */
export function swapWasmKernel(name: string, wrap: (original: KernelFunc) => KernelFunc): string[] {
  const original = tf.getKernel(name, 'wasm');
  if (!original) return [];
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
  return [name];
}
