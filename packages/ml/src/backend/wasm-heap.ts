import type * as tf from '@tensorflow/tfjs';

/**
 * What the kernels of this folder need of tfjs-backend-wasm beyond KernelBackend: tensors that
 * live on the wasm heap. `makeOutput` allocates one (uninitialised); `typedArrayFromHeap` is a
 * view of its memory, valid until the next allocation (which may grow the heap and detach it).
 */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
