import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { compileDensePlan, type DensePlan, type DensePlanOptions } from './dense-plan';
import { compileJsPlan, planMultiplyAdds, type JsPlan } from './js-plan';
import { mulberry32 } from '../split/split';
import type { BundleModel } from './load';

/** Encoded rows in, the model's flat row-major output out: the one call serving makes. */
export interface Predictor {
  /**
   * `js-plan` when the compiled op list runs in plain JavaScript (small models), `dense-plan`
   * when it runs on the tensor engine, `model` when `model.predict` does.
   */
  readonly engine: 'js-plan' | 'dense-plan' | 'model';
  /** Why the dense plan is not used (null when it is): shown in logs and model status. */
  readonly fallbackReason: string | null;
  predict(input: Float32Array, rows: number, inputWidth: number): Float32Array;
  /** Frees what the predictor made; the model itself is disposed by its owner. */
  dispose(): void;
}

/** `model.predict` over the whole batch at once (its default slices into batches of 32). */
export function modelPredictor(
  model: BundleModel,
  fallbackReason: string | null = null,
): Predictor {
  const tf = getTf();
  return {
    engine: 'model',
    fallbackReason,
    predict(input, rows, inputWidth) {
      return tf.tidy(() => {
        const y = model.predict(tf.tensor2d(input, [rows, inputWidth]), { batchSize: rows });
        // Bundled models have one output; a multi-output model is a bundle error.
        const first: tfTypes.Tensor | undefined = Array.isArray(y) ? y[0] : y;
        if (!first || Array.isArray(y)) throw new Error('model has more than one output tensor');
        return Float32Array.from(first.dataSync() as Float32Array);
      });
    },
    dispose: () => undefined,
  };
}

function planPredictor(plan: DensePlan): Predictor {
  const tf = getTf();
  return {
    engine: 'dense-plan',
    fallbackReason: null,
    predict(input, rows, inputWidth) {
      const x = tf.tensor2d(input, [rows, inputWidth]);
      let y: tfTypes.Tensor2D | undefined;
      try {
        y = plan.run(x);
        return Float32Array.from(y.dataSync() as Float32Array);
      } finally {
        y?.dispose();
        x.dispose();
      }
    },
    dispose: () => plan.dispose(),
  };
}

function jsPredictor(plan: JsPlan): Predictor {
  return {
    engine: 'js-plan',
    fallbackReason: null,
    predict: (input, rows) => plan.run(input, rows),
    dispose: () => undefined,
  };
}

/**
 * Up to this many multiply-adds per row, a plan runs in JavaScript: below it the tensor engine's
 * fixed cost per op (≈ 10 µs on a quiet machine, 4–5 ops a batch) outweighs the arithmetic a
 * scalar loop does at ≈ 1–2 ns per multiply-add; above it wasm's SIMD kernels win.
 */
export const JS_PLAN_MAX_MULTIPLY_ADDS = 1_024;

/** Deterministic probe rows in [-3, 3): the same check on every load, no Math.random. */
function probeInput(rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  const random = mulberry32(0x9e3779b9);
  for (let i = 0; i < out.length; i++) out[i] = random() * 6 - 3;
  return out;
}

/** Largest |a − b| / (1 + |b|) over two outputs (Infinity when shapes differ or NaN appears). */
function worstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** Float32 arithmetic in another order (fused kernels) differs in the last bits, not more. */
const PLAN_TOLERANCE = 1e-4;
const PROBE_ROWS = 16;

/**
 * `ownWeights`: the plan runs on its own copies of the weights, so that a caller given a `js-plan`
 * or `dense-plan` predictor may dispose the model right away (serving does: one copy of the
 * weights per loaded version instead of the model's and the plan's). Without it the plan shares
 * the model's tensors and the model must outlive the predictor.
 */
export type PredictorOptions = Pick<DensePlanOptions, 'ownWeights'>;

/**
 * The fastest predictor that gives the model's own answers: the dense plan when the model
 * compiles to one AND it matches `model.predict` on probe rows, else `model.predict` itself.
 * The check makes the plan an optimisation that cannot change a prediction, whatever layer
 * configuration a bundle brings.
 */
export function createPredictor(
  model: BundleModel,
  inputWidth: number,
  options: PredictorOptions = {},
): Predictor {
  if (inputWidth === 0)
    throw new AppError(
      'PRECONDITION_FAILED',
      'a tensor model (signature.tensors) has no scalar inputs to encode: run it with createTensorPredictor',
    );
  const plan = compileDensePlan(model, options);
  if (typeof plan === 'string') return modelPredictor(model, plan);
  if (plan.inputWidth !== inputWidth) {
    plan.dispose();
    return modelPredictor(
      model,
      `model input width ${plan.inputWidth} differs from the preprocessing's ${inputWidth}`,
    );
  }
  const reference = modelPredictor(model);
  const probe = probeInput(PROBE_ROWS, inputWidth);
  let expected: Float32Array;
  let js: ReturnType<typeof compileJsPlan> | null;
  try {
    expected = reference.predict(probe, PROBE_ROWS, inputWidth);
    js = planMultiplyAdds(plan) <= JS_PLAN_MAX_MULTIPLY_ADDS ? compileJsPlan(plan) : null;
  } catch (err) {
    // With `ownWeights` the plan holds a copy of every weight: a failed load must not keep it.
    plan.dispose();
    throw err;
  }
  const candidates: Predictor[] = [...(js ? [jsPredictor(js)] : []), planPredictor(plan)];
  let reason = '';
  for (const fast of candidates) {
    let worst: number;
    try {
      worst = worstDifference(fast.predict(probe, PROBE_ROWS, inputWidth), expected);
    } catch (err) {
      reason = `${fast.engine} failed its check: ${err instanceof Error ? err.message : String(err)}`;
      continue;
    }
    if (worst <= PLAN_TOLERANCE) {
      // The JS plan copied what it needs: the tensor plan's own tensors can go.
      if (fast.engine === 'js-plan') plan.dispose();
      return fast;
    }
    reason = `${fast.engine} differs from model.predict by ${worst.toExponential(2)} on probe rows`;
  }
  plan.dispose();
  return modelPredictor(model, reason);
}
