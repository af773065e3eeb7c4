/** One bin of a reliability diagram: predictions whose confidence falls in [lower, upper). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence (top-class probability) of the bin's predictions; null when empty. */
  confidence: number | null;
  /** Share of the bin's predictions that were right; null when empty. */
  accuracy: number | null;
}

/**
 * Expected calibration error (Guo et al. 2017): predictions binned by their top-class
 * probability into `bins` equal-width bins; ECE = Σ (n_b / n) · |accuracy_b − confidence_b|.
 * A model that says 0.9 and is right 90% of the time scores 0; confident mistakes raise it.
 */
export function calibration(
  yTrue: ArrayLike<number>,
  probs: ArrayLike<number>,
  numClasses: number,
  bins = 10,
): { ece: number; bins: ReliabilityBin[] } {
  const n = yTrue.length;
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) {
      if ((probs[r * numClasses + c] ?? 0) > (probs[r * numClasses + best] ?? 0)) best = c;
    }
    const p = probs[r * numClasses + best] ?? 0;
    // p = 1 belongs to the last bin, not one past it.
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b] = (count[b] ?? 0) + 1;
    conf[b] = (conf[b] ?? 0) + p;
    if (best === yTrue[r]) hits[b] = (hits[b] ?? 0) + 1;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const k = count[b] ?? 0;
    const confidence = k > 0 ? (conf[b] ?? 0) / k : null;
    const accuracy = k > 0 ? (hits[b] ?? 0) / k : null;
    if (k > 0 && n > 0) ece += (k / n) * Math.abs((accuracy ?? 0) - (confidence ?? 0));
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: k, confidence, accuracy });
  }
  return { ece, bins: out };
}
