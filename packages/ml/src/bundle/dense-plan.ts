import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '../backend/backend';

/**
 * A Sequential stack of dense layers as a short list of TF.js ops, for inference only.
 *
 * Why: `LayersModel.predict` spends far more time in bookkeeping than in arithmetic for the
 * small tabular models this platform trains — it re-runs the symbolic layer machinery (name
 * scopes, input specs, a `tidy` per layer, slicing into batches of 32 and concatenating) on
 * every call. Measured on the benchmark MLP (wasm, 2 cores): 256 rows take ≈ 940 µs through
 * `predict` and ≈ 60 µs as fused matMul+bias+activation ops on the same weights. Serving calls
 * predict once per micro-batch, so this is most of its model time.
 *
 * Only what can be expressed exactly is compiled: Dense (with or without bias), Activation,
 * Dropout (the identity at inference) and BatchNormalization on the last axis (folded into one
 * multiply-add). Anything else — convolutions, recurrent layers, functional graphs — makes
 * `compileDensePlan` answer why not, and the caller keeps `model.predict`. The caller also
 * checks the plan against `model.predict` before trusting it (see predictor.ts).
 */
export interface DensePlan {
  /** [rows, inputWidth] in, the last layer's output out; the input tensor is not disposed. */
  run(x: tfTypes.Tensor2D): tfTypes.Tensor2D;
  readonly inputWidth: number;
  /** The compiled ops, in order (js-plan.ts runs the same ops without the tensor engine). */
  readonly steps: readonly Step[];
  /**
   * Frees the tensors the plan made (folded batch norms, and its weight copies when compiled
   * with `ownWeights`); otherwise the weights belong to the model.
   */
  dispose(): void;
}

export interface DensePlanOptions {
  /**
   * Run on copies of the dense weights instead of the model's own tensors, so the model can be
   * disposed once the plan is trusted. On wasm this is what frees the model's copies: XNNPACK
   * packs each weight tensor once per distinct matmul call (model.predict's and the plan's pass
   * different bias tensors), and a packed copy lives until its weight tensor is disposed.
   */
  ownWeights?: boolean;
}

type FusedActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid';
const FUSED: ReadonlySet<string> = new Set<FusedActivation>([
  'linear',
  'relu',
  'relu6',
  'elu',
  'sigmoid',
]);

type ActivationOp = (tf: typeof tfTypes, y: tfTypes.Tensor2D) => tfTypes.Tensor2D;

/**
 * Every activation the plan expresses, as its own op: an Activation layer, or a Dense layer's
 * activation that the fused matMul cannot apply itself (those not in FUSED). `linear` is none.
 */
const ACTIVATION_OPS: Record<string, ActivationOp> = {
  relu: (tf, y) => tf.relu(y),
  relu6: (tf, y) => tf.relu6(y),
  elu: (tf, y) => tf.elu(y),
  sigmoid: (tf, y) => tf.sigmoid(y),
  softmax: (tf, y) => tf.softmax(y),
  tanh: (tf, y) => tf.tanh(y),
  softplus: (tf, y) => tf.softplus(y),
  selu: (tf, y) => tf.selu(y),
  logSoftmax: (tf, y) => tf.logSoftmax(y),
};

export type Step =
  | { kind: 'dense'; kernel: tfTypes.Tensor2D; bias?: tfTypes.Tensor1D; activation: string }
  | { kind: 'affine'; scale: tfTypes.Tensor1D; offset: tfTypes.Tensor1D }
  | { kind: 'activation'; activation: string };

interface LayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): tfTypes.Tensor[];
}

function supportedActivation(name: unknown): name is string {
  return typeof name === 'string' && (name === 'linear' || name in ACTIVATION_OPS);
}

function activationStep(name: string): Step[] {
  return name === 'linear' ? [] : [{ kind: 'activation', activation: name }];
}

/** gamma·(x − mean)/√(var + ε) + beta = x·scale + offset, computed once. */
function foldBatchNorm(layer: LayerLike, owned: tfTypes.Tensor[]): Step | string {
  const tf = getTf();
  const config = layer.getConfig();
  const axis = config.axis;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    // Sequential dense stacks are rank 2, where axis 1 is the last axis too.
    if (axis !== 1) return `BatchNormalization on axis ${JSON.stringify(axis)}`;
  }
  const weights = [...layer.getWeights()];
  const gamma = config.scale === false ? null : weights.shift();
  const beta = config.center === false ? null : weights.shift();
  const [mean, variance] = weights;
  if (!mean || !variance || gamma === undefined || beta === undefined)
    return 'BatchNormalization with unexpected weights';
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
  const [scale, offset] = tf.tidy(() => {
    const s = tf.rsqrt(tf.add(variance, epsilon));
    const sc = gamma ? tf.mul(s, gamma) : s;
    const off = tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, sc));
    return [sc as tfTypes.Tensor1D, off as tfTypes.Tensor1D];
  });
  owned.push(scale, offset);
  return { kind: 'affine', scale, offset };
}

/** A fresh tensor with `t`'s values (its own allocation), owned by the plan. */
function copyOf<T extends tfTypes.Tensor>(t: T, owned: tfTypes.Tensor[]): T {
  const copy = getTf().tensor(t.dataSync(), t.shape, t.dtype) as T;
  owned.push(copy);
  return copy;
}

function stepsOf(layer: LayerLike, owned: tfTypes.Tensor[], ownWeights: boolean): Step[] | string {
  const name = layer.getClassName();
  const config = layer.getConfig();
  switch (name) {
    case 'InputLayer':
    case 'Dropout':
      return [];
    case 'Activation':
      return supportedActivation(config.activation)
        ? activationStep(config.activation)
        : `activation "${String(config.activation)}"`;
    case 'Dense': {
      if (!supportedActivation(config.activation))
        return `Dense activation "${String(config.activation)}"`;
      const [kernel, bias] = layer.getWeights();
      if (!kernel || kernel.rank !== 2) return 'Dense without a rank-2 kernel';
      const fused = FUSED.has(config.activation);
      const use = <T extends tfTypes.Tensor>(t: T): T => (ownWeights ? copyOf(t, owned) : t);
      const dense: Step = {
        kind: 'dense',
        kernel: use(kernel as tfTypes.Tensor2D),
        ...(config.useBias !== false && bias ? { bias: use(bias as tfTypes.Tensor1D) } : {}),
        activation: fused ? config.activation : 'linear',
      };
      return fused ? [dense] : [dense, ...activationStep(config.activation)];
    }
    case 'BatchNormalization': {
      const step = foldBatchNorm(layer, owned);
      return typeof step === 'string' ? step : [step];
    }
    default:
      return `layer ${name}`;
  }
}

/**
 * The plan of `model`, or the reason it has none (a string naming the first unsupported part).
 * `model` is typed loosely so graph models and other `BundleModel`s are simply refused.
 */
export function compileDensePlan(
  model: unknown,
  options: DensePlanOptions = {},
): DensePlan | string {
  const tf = getTf();
  if (!(model instanceof tf.Sequential)) return 'not a Sequential layers model';
  const width = model.inputs[0]?.shape[1];
  if (model.inputs.length !== 1 || model.inputs[0]?.shape.length !== 2 || typeof width !== 'number')
    return 'input is not [batch, width]';
  const owned: tfTypes.Tensor[] = [];
  const steps: Step[] = [];
  for (const layer of model.layers as unknown as LayerLike[]) {
    const s = stepsOf(layer, owned, options.ownWeights === true);
    if (typeof s === 'string') {
      for (const t of owned) t.dispose();
      return `unsupported ${s}`;
    }
    steps.push(...s);
  }
  if (!steps.some((s) => s.kind === 'dense')) return 'no dense layer';

  return {
    inputWidth: width,
    steps,
    run(x) {
      let y = x;
      for (const step of steps) {
        const next = apply(tf, step, y);
        // Intermediates are freed as soon as the next op has consumed them (no tidy scope:
        // its bookkeeping is part of what this plan exists to avoid).
        if (y !== x) y.dispose();
        y = next;
      }
      return y;
    },
    dispose() {
      for (const t of owned) t.dispose();
    },
  };
}

function apply(tf: typeof tfTypes, step: Step, y: tfTypes.Tensor2D): tfTypes.Tensor2D {
  switch (step.kind) {
    case 'dense':
      return tf.fused.matMul({
        a: y,
        b: step.kernel,
        ...(step.bias ? { bias: step.bias } : {}),
        activation: step.activation as FusedActivation,
      }) as tfTypes.Tensor2D;
    case 'affine':
      return tf.tidy(() => tf.add(tf.mul(y, step.scale), step.offset));
    case 'activation':
      return ACTIVATION_OPS[step.activation]!(tf, y);
  }
}
