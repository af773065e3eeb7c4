/** Share of predictions equal to the truth (0 for no rows). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length === 0) return 0;
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in the truth or the predictions
 * (as scikit-learn's `f1_score(average='macro')` without `labels`); a class with no true
 * positives scores 0.
 */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const tp = new Map<number, number>();
  const fp = new Map<number, number>();
  const fn = new Map<number, number>();
  const classes = new Set<number>();
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] ?? -1;
    const p = yPred[i] ?? -1;
    classes.add(t).add(p);
    if (t === p) bump(tp, t);
    else {
      bump(fp, p);
      bump(fn, t);
    }
  }
  if (classes.size === 0) return 0;
  let sum = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0;
    const denom = 2 * t + (fp.get(c) ?? 0) + (fn.get(c) ?? 0);
    sum += denom === 0 ? 0 : (2 * t) / denom;
  }
  return sum / classes.size;
}

/** Mean negative log-probability of the true class; probabilities clipped to [1e-15, 1 - 1e-15]. */
export function logLoss(
  yTrue: ArrayLike<number>,
  probs: ArrayLike<number>,
  numClasses: number,
): number {
  if (yTrue.length === 0) return 0;
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = probs[i * numClasses + (yTrue[i] ?? 0)] ?? 0;
    sum -= Math.log(Math.min(1 - eps, Math.max(eps, p)));
  }
  return sum / yTrue.length;
}

/** Argmax of each row of a flat `rows × numClasses` probability array. */
export function argmaxRows(probs: ArrayLike<number>, numClasses: number): Int32Array {
  const rows = Math.floor(probs.length / numClasses);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) {
      if ((probs[r * numClasses + c] ?? 0) > (probs[r * numClasses + best] ?? 0)) best = c;
    }
    out[r] = best;
  }
  return out;
}

/** The classification metrics of a run, with the platform's metric keys. */
export function classificationMetrics(
  yTrue: ArrayLike<number>,
  probs: ArrayLike<number>,
  numClasses: number,
): { accuracy: number; macro_f1: number; log_loss: number } {
  const yPred = argmaxRows(probs, numClasses);
  return {
    accuracy: accuracy(yTrue, yPred),
    macro_f1: macroF1(yTrue, yPred),
    log_loss: logLoss(yTrue, probs, numClasses),
  };
}
