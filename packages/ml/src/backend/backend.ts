import * as tf from '@tensorflow/tfjs';
import { AppError, type BackendName } from '@mlops/contracts';
import { registerWasmConvKernels } from './wasm-conv';
import { registerWasmDepthwiseKernels } from './wasm-depthwise';
import { registerWasmFallbacks } from './wasm-fallbacks';
import { registerWasmGatherKernel } from './wasm-gather';
import { registerWasmMatMulFastPath } from './wasm-matmul';
import { registerWasmPoolKernels } from './wasm-pool';

export type BackendRequest = 'auto' | BackendName;

// Every module of the platform must see the same tfjs instance: a backend registered on one copy
// of tfjs-core is invisible to another, and tensors cannot cross instances.
export function getTf(): typeof tf {
  return tf;
}

export function tfjsVersion(): string {
  return tf.version.tfjs;
}

// The native binding is never a dependency of the default install (its install script needs a
// network this platform does not assume); it is used when an image ships it. A variable
// specifier keeps bundlers and the type checker from trying to resolve it.
// The GPU image (infra/docker/trainer-gpu.Dockerfile) installs -node-gpu; both register
// the same 'tensorflow' backend, so GPU is tried first and the rest of the logic is shared.
const TFJS_NATIVE = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

async function importNative(): Promise<boolean> {
  for (const specifier of TFJS_NATIVE) {
    try {
      await import(/* @vite-ignore */ specifier);
      return true;
    } catch {
      // not installed (the usual case) or its native library failed to load
    }
  }
  return false;
}

async function tryTensorflow(): Promise<boolean> {
  if (!(await importNative())) return false;
  // tfjs-node registers 'tensorflow' on the tfjs-core it resolved; if that is another copy than
  // ours the backend is not visible here and we must not pretend it is active.
  if (!tf.findBackendFactory('tensorflow')) return false;
  return activate('tensorflow');
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm'); // registers the 'wasm' backend on import
  } catch {
    return false;
  }
  if (!(await activate('wasm'))) return false;
  // The conv kernels first: the fallbacks bridge to cpu only what wasm still lacks after them.
  registerWasmConvKernels();
  registerWasmDepthwiseKernels();
  registerWasmFallbacks();
  registerWasmMatMulFastPath();
  registerWasmPoolKernels();
  registerWasmGatherKernel();
  return true;
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

const attempts: Record<BackendName, () => Promise<boolean>> = {
  tensorflow: tryTensorflow,
  wasm: tryWasm,
  cpu: () => activate('cpu'),
};

let current: BackendName | null = null;
// Calls are serialised so two concurrent `initBackend()` never race on `tf.setBackend`.
let chain: Promise<unknown> = Promise.resolve();

async function init(requested: BackendRequest): Promise<BackendName> {
  // Services run tfjs in production mode: no debug checks, and no console banner urging a
  // native install (the platform decides about tfjs-node, not the library).
  tf.enableProdMode();
  if (requested === 'auto') {
    if (current) return current;
    for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
      if (await attempts[name]()) return (current = name);
    }
    throw new AppError(
      'UNAVAILABLE',
      'No TF.js backend could be initialised (tried tensorflow, wasm, cpu)',
    );
  }
  if (current === requested && tf.getBackend() === requested) return current;
  if (await attempts[requested]()) return (current = requested);
  // Leave the previously active backend (if any) in place: a failed switch must not break it.
  if (current) await activate(current);
  const hint =
    requested === 'tensorflow'
      ? 'install @tensorflow/tfjs-node (or -node-gpu) in this image, or request "auto", "wasm" or "cpu"'
      : 'request "auto" or "cpu"';
  throw new AppError('UNAVAILABLE', `TF.js backend "${requested}" is not available here: ${hint}`);
}

/**
 * Pick and activate the TF.js backend: `auto` prefers tensorflow (native binding, when present),
 * then wasm, then cpu. Idempotent: `auto` after a successful init returns the active backend;
 * an explicit name switches to it (or throws `UNAVAILABLE` when it cannot be loaded).
 */
export function initBackend(requested: BackendRequest = 'auto'): Promise<BackendName> {
  const result = chain.then(() => init(requested));
  chain = result.catch(() => undefined);
  return result;
}

/** The backend `initBackend` activated, or null before the first call. */
export function activeBackend(): BackendName | null {
  return current;
}
