/**
 * Baselines a model must beat on the same held-out split: the class prior (always predict the
 * training split's class frequencies), the training mean, and a linear model fitted on the
 * training split's preprocessed features — logistic regression by full-batch gradient descent,
 * linear regression in closed form (ridge normal equations). Plain JavaScript: small, exact
 * and deterministic; no tensor engine needed.
 */

/** The training split's class frequencies, as probabilities for every test row. */
export function classPrior(trainLabels: ArrayLike<number>, numClasses: number): Float64Array {
  const prior = new Float64Array(numClasses);
  for (let i = 0; i < trainLabels.length; i++) {
    const c = trainLabels[i] ?? 0;
    prior[c] = (prior[c] ?? 0) + 1;
  }
  const n = Math.max(1, trainLabels.length);
  for (let c = 0; c < numClasses; c++) prior[c] = (prior[c] ?? 0) / n;
  return prior;
}

/** `rows × numClasses` probabilities: the same prior for every row. */
export function priorProbabilities(prior: ArrayLike<number>, rows: number): Float32Array {
  const k = prior.length;
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) out[r * k + c] = prior[c] ?? 0;
  return out;
}

export interface LinearModel {
  /** `(width + 1) × outputs`, row-major, the last row the bias. */
  weights: Float64Array;
  width: number;
  outputs: number;
}

/** Softmax regression on `x` (`rows × width`) with integer labels; L2 on the weights. */
export function fitLogistic(
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  width: number,
  numClasses: number,
  opts: { epochs?: number; learningRate?: number; l2?: number } = {},
): LinearModel {
  const epochs = opts.epochs ?? 200;
  const lr = opts.learningRate ?? 0.5;
  const l2 = opts.l2 ?? 1e-4;
  const k = numClasses;
  const w = new Float64Array((width + 1) * k);
  const grad = new Float64Array(w.length);
  const p = new Float64Array(k);
  for (let e = 0; e < epochs; e++) {
    grad.fill(0);
    for (let r = 0; r < rows; r++) {
      softmaxRow(w, x, r, width, k, p);
      const y = labels[r] ?? 0;
      for (let c = 0; c < k; c++) {
        const d = (p[c] ?? 0) - (c === y ? 1 : 0);
        for (let j = 0; j < width; j++)
          grad[j * k + c] = (grad[j * k + c] ?? 0) + d * (x[r * width + j] ?? 0);
        grad[width * k + c] = (grad[width * k + c] ?? 0) + d;
      }
    }
    for (let i = 0; i < w.length; i++) {
      const reg = i < width * k ? l2 * (w[i] ?? 0) : 0;
      w[i] = (w[i] ?? 0) - lr * ((grad[i] ?? 0) / Math.max(1, rows) + reg);
    }
  }
  return { weights: w, width, outputs: k };
}

function softmaxRow(
  w: Float64Array,
  x: ArrayLike<number>,
  r: number,
  width: number,
  k: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let z = w[width * k + c] ?? 0;
    for (let j = 0; j < width; j++) z += (x[r * width + j] ?? 0) * (w[j * k + c] ?? 0);
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const v = Math.exp((out[c] ?? 0) - max);
    out[c] = v;
    sum += v;
  }
  for (let c = 0; c < k; c++) out[c] = (out[c] ?? 0) / sum;
}

/** Class probabilities (`rows × numClasses`) of a fitted softmax regression. */
export function predictLogistic(m: LinearModel, x: ArrayLike<number>, rows: number): Float32Array {
  const out = new Float32Array(rows * m.outputs);
  const p = new Float64Array(m.outputs);
  for (let r = 0; r < rows; r++) {
    softmaxRow(m.weights, x, r, m.width, m.outputs, p);
    for (let c = 0; c < m.outputs; c++) out[r * m.outputs + c] = p[c] ?? 0;
  }
  return out;
}

/**
 * Least squares with a small ridge (not on the bias), by the normal equations
 * (XᵀX + λI) w = Xᵀy solved with partial pivoting: exact for the widths tables have.
 */
export function fitLinear(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  width: number,
  ridge = 1e-6,
): LinearModel {
  const d = width + 1;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const row = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) row[j] = x[r * width + j] ?? 0;
    row[width] = 1;
    const t = y[r] ?? 0;
    for (let i = 0; i < d; i++) {
      const ri = row[i] ?? 0;
      b[i] = (b[i] ?? 0) + ri * t;
      for (let j = 0; j < d; j++) a[i * d + j] = (a[i * d + j] ?? 0) + ri * (row[j] ?? 0);
    }
  }
  for (let i = 0; i < width; i++) a[i * d + i] = (a[i * d + i] ?? 0) + ridge * Math.max(1, rows);
  return { weights: solve(a, b, d), width, outputs: 1 };
}

export function predictLinear(m: LinearModel, x: ArrayLike<number>, rows: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let v = m.weights[m.width] ?? 0;
    for (let j = 0; j < m.width; j++) v += (x[r * m.width + j] ?? 0) * (m.weights[j] ?? 0);
    out[r] = v;
  }
  return out;
}

/** Gaussian elimination with partial pivoting; a singular pivot leaves that weight at 0. */
function solve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++)
      if (Math.abs(a[r * d + col] ?? 0) > Math.abs(a[pivot * d + col] ?? 0)) pivot = r;
    if (pivot !== col) {
      for (let j = 0; j < d; j++) {
        const t = a[col * d + j] ?? 0;
        a[col * d + j] = a[pivot * d + j] ?? 0;
        a[pivot * d + j] = t;
      }
      const t = b[col] ?? 0;
      b[col] = b[pivot] ?? 0;
      b[pivot] = t;
    }
    const p = a[col * d + col] ?? 0;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = col + 1; r < d; r++) {
      const f = (a[r * d + col] ?? 0) / p;
      if (f === 0) continue;
      for (let j = col; j < d; j++) a[r * d + j] = (a[r * d + j] ?? 0) - f * (a[col * d + j] ?? 0);
      b[r] = (b[r] ?? 0) - f * (b[col] ?? 0);
    }
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    const p = a[i * d + i] ?? 0;
    if (Math.abs(p) < 1e-12) continue;
    let s = b[i] ?? 0;
    for (let j = i + 1; j < d; j++) s -= (a[i * d + j] ?? 0) * (w[j] ?? 0);
    w[i] = s / p;
  }
  return w;
}
