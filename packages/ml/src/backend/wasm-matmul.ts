import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

/** The matmul kernels whose transposed forms the wasm binary runs on its slow path. */
const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

let patched: string[] | null = null;

/** One matrix (all outer dimensions 1): the only shape XNNPACK takes. */
function single(x: TensorInfo): boolean {
  return x.shape.slice(0, -2).every((d) => d === 1);
}

/** Swap the two innermost axes: the permutation a transposed matmul operand implies. */
function innerSwap(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * tfjs-backend-wasm 4.22 sends a matmul to XNNPACK only when neither operand is transposed
 * (and the batch is 1); with `transposeA` or `transposeB` it runs a blocked scalar triple loop
 * (`slow_batch_matmul` in batch_mat_mul_impl.cc). Backpropagation through a dense layer is
 * exactly those two forms — dX = dY·Wᵀ and dW = Xᵀ·dY — so on wasm two thirds of an MLP's
 * matmuls took the slow path: measured 980 µs against 115 µs for [256×64]·[64×64].
 * Materialising the transpose (a cheap wasm kernel) and calling the untransposed kernel computes
 * the same product on XNNPACK. Only the kernels' implementation changes: inputs, attributes and
 * therefore gradients recorded by the engine are those of the original call.
 * Returns the names of the patched kernels; idempotent. Call once the wasm backend is active.
 */
export function registerWasmMatMulFastPath(): string[] {
  if (patched) return patched;
  const transposeKernel = tf.getKernel('Transpose', 'wasm');
  const done: string[] = [];
  for (const name of MATMUL_KERNELS) {
    const original = tf.getKernel(name, 'wasm');
    if (!original || !transposeKernel) continue;
    const kernelFunc: KernelFunc = (args) => {
      const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      // A batch of matrices takes the slow path either way: leave it alone.
      const fast = (attrs.transposeA || attrs.transposeB) && single(a) && single(b);
      if (!fast) return original.kernelFunc(args);
      const backend = args.backend as tf.KernelBackend;
      const temporaries: TensorInfo[] = [];
      const materialise = (x: TensorInfo): TensorInfo => {
        const t = transposeKernel.kernelFunc({
          inputs: { x },
          backend,
          attrs: { perm: innerSwap(x.shape.length) },
        }) as TensorInfo;
        temporaries.push(t);
        return t;
      };
      try {
        return original.kernelFunc({
          ...args,
          inputs: {
            ...args.inputs,
            a: attrs.transposeA ? materialise(a) : a,
            b: attrs.transposeB ? materialise(b) : b,
          },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
      } finally {
        for (const t of temporaries) backend.disposeData(t.dataId);
      }
    };
    // Re-registering keeps the original setup/dispose hooks, which bind the wasm functions the
    // original kernelFunc calls (setup already ran when the backend initialised).
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...original, kernelFunc });
    done.push(name);
  }
  patched = done;
  return patched;
}
