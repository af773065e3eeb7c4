import type { DensePlan } from './dense-plan';

/**
 * A dense plan run in plain JavaScript over Float32Arrays, for small models. Every tensor op
 * costs the same engine bookkeeping (a tensor record, a kernel lookup, a backend call, a dispose)
 * whatever its size: for a model of a few hundred multiply-adds per row, that bookkeeping is
 * nearly all of a batch's predict — ≈ 5 µs of every one-row request to the serving benchmark's
 * tiny model on a busy machine. Loops over the weights do the same arithmetic with none of it.
 * Larger models stay on the tensor engine, where wasm's SIMD kernels win (see createPredictor).
 */

type Activation = (v: Float32Array, rows: number, width: number) => void;

function each(f: (x: number) => number): Activation {
  return (v) => {
    for (let i = 0; i < v.length; i++) v[i] = f(v[i]!);
  };
}

/** Row-wise softmax (or its log), stable: exponents are taken after subtracting the row max. */
function softmaxRows(log: boolean): Activation {
  return (v, rows, width) => {
    for (let r = 0; r < rows; r++) {
      const at = r * width;
      let max = -Infinity;
      for (let j = 0; j < width; j++) max = Math.max(max, v[at + j]!);
      let sum = 0;
      for (let j = 0; j < width; j++) sum += Math.exp(v[at + j]! - max);
      for (let j = 0; j < width; j++) {
        v[at + j] = log ? v[at + j]! - max - Math.log(sum) : Math.exp(v[at + j]! - max) / sum;
      }
    }
  };
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** The same activations as tfjs-layers (and the tensor plan's ACTIVATION_OPS). */
const ACTIVATIONS: Record<string, Activation> = {
  linear: () => undefined,
  relu: each((x) => (x > 0 ? x : 0)),
  relu6: each((x) => Math.min(Math.max(x, 0), 6)),
  elu: each((x) => (x > 0 ? x : Math.expm1(x))),
  sigmoid: each((x) => 1 / (1 + Math.exp(-x))),
  tanh: each(Math.tanh),
  softplus: each((x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))),
  selu: each((x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))),
  softmax: softmaxRows(false),
  logSoftmax: softmaxRows(true),
};

type JsOp = (x: Float32Array, rows: number) => Float32Array;

/** x [rows, in] · W [in, out] + b, W stored transposed so the inner loop reads it in order. */
function denseOp(
  kernel: Float32Array,
  inWidth: number,
  outWidth: number,
  bias: Float32Array | null,
  activation: Activation,
): JsOp {
  const wt = new Float32Array(inWidth * outWidth);
  for (let k = 0; k < inWidth; k++) {
    for (let j = 0; j < outWidth; j++) wt[j * inWidth + k] = kernel[k * outWidth + j]!;
  }
  return (x, rows) => {
    const y = new Float32Array(rows * outWidth);
    for (let r = 0; r < rows; r++) {
      const xr = r * inWidth;
      for (let j = 0; j < outWidth; j++) {
        const wj = j * inWidth;
        let acc = bias ? bias[j]! : 0;
        for (let k = 0; k < inWidth; k++) acc += x[xr + k]! * wt[wj + k]!;
        y[r * outWidth + j] = acc;
      }
    }
    activation(y, rows, outWidth);
    return y;
  };
}

function affineOp(scale: Float32Array, offset: Float32Array): JsOp {
  const width = scale.length;
  return (x) => {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const c = i % width;
      y[i] = x[i]! * scale[c]! + offset[c]!;
    }
    return y;
  };
}

/** Multiply-adds per row of a plan: what decides whether it runs here or on the engine. */
export function planMultiplyAdds(plan: DensePlan): number {
  let total = 0;
  for (const step of plan.steps) {
    if (step.kind === 'dense') total += step.kernel.shape[0] * step.kernel.shape[1];
  }
  return total;
}

export interface JsPlan {
  readonly inputWidth: number;
  run(input: Float32Array, rows: number): Float32Array;
}

/** The plan's ops over copies of its weights (read once, here); null when an op is unknown. */
export function compileJsPlan(plan: DensePlan): JsPlan | null {
  const ops: JsOp[] = [];
  let width = plan.inputWidth;
  for (const step of plan.steps) {
    if (step.kind === 'dense') {
      const [inWidth, outWidth] = step.kernel.shape;
      if (inWidth !== width) return null;
      const activation = ACTIVATIONS[step.activation];
      if (!activation) return null;
      const bias = step.bias ? Float32Array.from(step.bias.dataSync() as Float32Array) : null;
      ops.push(
        denseOp(step.kernel.dataSync() as Float32Array, inWidth, outWidth, bias, activation),
      );
      width = outWidth;
    } else if (step.kind === 'affine') {
      ops.push(
        affineOp(step.scale.dataSync() as Float32Array, step.offset.dataSync() as Float32Array),
      );
    } else {
      const activation = ACTIVATIONS[step.activation];
      if (!activation) return null;
      const w = width;
      ops.push((x, rows) => {
        const y = Float32Array.from(x);
        activation(y, rows, w);
        return y;
      });
    }
  }
  return {
    inputWidth: plan.inputWidth,
    run(input, rows) {
      let y = input;
      for (const op of ops) y = op(y, rows);
      return y === input ? Float32Array.from(input) : y;
    },
  };
}
