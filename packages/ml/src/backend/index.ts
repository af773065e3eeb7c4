export { initBackend, getTf, tfjsVersion, activeBackend } from './backend';
export type { BackendRequest } from './backend';
export { registerWasmFallbacks } from './wasm-fallbacks';
export { registerWasmMatMulFastPath } from './wasm-matmul';
export { registerWasmConvKernels } from './wasm-conv';
export { registerWasmPoolKernels } from './wasm-pool';
export { registerWasmDepthwiseKernels } from './wasm-depthwise';
export { registerWasmGatherKernel } from './wasm-gather';
