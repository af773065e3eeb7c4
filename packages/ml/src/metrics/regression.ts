export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += ((yTrue[i] ?? 0) - (yPred[i] ?? 0)) ** 2;
  return Math.sqrt(sum / yTrue.length);
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += Math.abs((yTrue[i] ?? 0) - (yPred[i] ?? 0));
  return sum / yTrue.length;
}

/**
 * Coefficient of determination, 1 - SS_res / SS_tot. A constant truth has SS_tot = 0: then the
 * score is 1 for a perfect prediction and 0 otherwise (scikit-learn's convention).
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = yTrue.length;
  if (n === 0) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] ?? 0;
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] ?? 0;
    ssRes += (t - (yPred[i] ?? 0)) ** 2;
    ssTot += (t - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): { rmse: number; mae: number; r2: number } {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred) };
}
