import type {
  BaselineResult,
  Column,
  DataRow,
  ModelTestResult,
  ModelTestsSpec,
  Preprocessing,
  SliceResult,
} from '@mlops/contracts';
import {
  accuracy,
  argmaxRows,
  calibration,
  classPrior,
  fitLinear,
  fitLogistic,
  logLoss,
  predictLinear,
  predictLogistic,
  priorProbabilities,
  scoreSlices,
  sliceRows,
  worstSlice,
} from '@mlops/ml/metrics';
import { encodeFeatures, encodeLabelIndices } from '@mlops/ml/preprocessing';

/** Training rows the linear baseline is fitted on (full-batch descent in plain JS: bounded). */
export const BASELINE_MAX_ROWS = 5_000;
const LOGISTIC_EPOCHS = 150;

export interface HeldOut {
  prep: Preprocessing;
  features: readonly Column[];
  train: readonly DataRow[];
  test: readonly DataRow[];
  /** The version's raw output on `test` (probabilities, or standardized predictions). */
  output: Float32Array;
  bounds: ModelTestsSpec;
}

export interface PlatformOutcome {
  results: ModelTestResult[];
  baselines: BaselineResult[];
  baselineLift: number | null;
  slices: SliceResult[];
  calibration: { ece: number; bins: ReturnType<typeof calibration>['bins'] } | null;
}

/**
 * Baselines, slices and calibration on the held-out split. Every score is greater-is-better:
 * accuracy for classifiers; for regression r2, and per slice 1 − MSE_slice / Var(y) over the
 * whole split (an r2 whose denominator does not shrink with the slice, so slices compare).
 */
export function platformTests(h: HeldOut): PlatformOutcome {
  const t = h.prep.target;
  const n = h.test.length;
  const trainRows = h.train.slice(0, BASELINE_MAX_ROWS);
  const xTrain = encodeFeatures(h.prep, trainRows);
  const xTest = encodeFeatures(h.prep, h.test);
  const width = h.prep.inputWidth;
  const baselines: BaselineResult[] = [];
  let perRow: (indices: readonly number[]) => number | null;
  let overall: number;
  let cal: PlatformOutcome['calibration'] = null;
  const results: ModelTestResult[] = [];

  if (t.kind === 'label-encode') {
    const k = t.labels.length;
    const yTest = encodeLabelIndices(h.prep, h.test);
    const yTrain = encodeLabelIndices(h.prep, trainRows);
    const predicted = argmaxRows(h.output, k);
    overall = accuracy(yTest, predicted);
    const prior = priorProbabilities(classPrior(yTrain, k), n);
    const logistic = predictLogistic(
      fitLogistic(xTrain, yTrain, trainRows.length, width, k, { epochs: LOGISTIC_EPOCHS }),
      xTest,
      n,
    );
    for (const [name, probs] of [
      ['majority', prior],
      ['logistic', logistic],
    ] as const) {
      const value = accuracy(yTest, argmaxRows(probs, k));
      baselines.push({
        name,
        metric: 'accuracy',
        value,
        lift: overall - value,
        logLoss: logLoss(yTest, probs, k),
      });
    }
    perRow = (idx) =>
      idx.length === 0 ? null : idx.filter((i) => predicted[i] === yTest[i]).length / idx.length;
    cal = calibration(yTest, h.output, k);
    results.push({
      name: 'calibration:ece',
      kind: 'calibration',
      passed: cal.ece <= h.bounds.maxCalibrationError,
      value: cal.ece,
      threshold: h.bounds.maxCalibrationError,
      detail: `expected calibration error over 10 bins; the model's log loss is ${logLoss(yTest, h.output, k).toFixed(4)}`,
    });
  } else {
    const truth = h.test.map((r) => Number(r[t.column]));
    const yTrain = trainRows.map((r) => Number(r[t.column]));
    const predicted = Array.from(h.output, (v) => v * t.std + t.mean);
    const mean = truth.reduce((s, v) => s + v, 0) / Math.max(1, n);
    const variance = truth.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n);
    const skill = (pred: ArrayLike<number>, idx: readonly number[]): number | null => {
      if (idx.length === 0 || variance === 0) return null;
      let mse = 0;
      for (const i of idx) mse += ((truth[i] ?? 0) - (pred[i] ?? 0)) ** 2;
      return 1 - mse / idx.length / variance;
    };
    const all = truth.map((_, i) => i);
    overall = skill(predicted, all) ?? 0;
    const trainMean = yTrain.reduce((s, v) => s + v, 0) / Math.max(1, yTrain.length);
    const linear = predictLinear(fitLinear(xTrain, yTrain, trainRows.length, width), xTest, n);
    for (const [name, pred] of [
      ['mean', new Float64Array(n).fill(trainMean)],
      ['linear', linear],
    ] as const) {
      const value = skill(pred, all) ?? 0;
      baselines.push({ name, metric: 'r2', value, lift: overall - value, logLoss: null });
    }
    perRow = (idx) => skill(predicted, idx);
  }

  for (const b of baselines) {
    // The trivial baseline must be beaten; a linear model may be matched within 0.05 (small data).
    const trivial = b.name === 'majority' || b.name === 'mean';
    const threshold = trivial ? 0 : -0.05;
    results.push({
      name: `baseline:${b.name}`,
      kind: 'baseline',
      passed: trivial ? b.lift > threshold : b.lift >= threshold,
      value: b.lift,
      threshold,
      detail: `${b.metric} ${overall.toFixed(4)} vs ${b.name} ${b.value.toFixed(4)} on the same ${n} held-out rows`,
    });
  }
  const baselineLift = baselines.length > 0 ? Math.min(...baselines.map((b) => b.lift)) : null;

  // A date is expanded into several inputs; its slices would be one per day, so none.
  const sliceable = h.features.flatMap((f) =>
    f.type === 'datetime' ? [] : [{ name: f.name, type: f.type }],
  );
  const groups = sliceRows(sliceable, h.test);
  const bounds = { minRows: h.bounds.sliceMinRows, maxDrop: h.bounds.sliceMaxDrop };
  const scored = scoreSlices(groups, perRow, overall, bounds);
  const flagged = scored.filter((s) => s.flagged);
  const worst = worstSlice(scored, bounds.minRows);
  results.push({
    name: 'slices',
    kind: 'slice',
    passed: flagged.length === 0,
    value: worst?.score ?? null,
    threshold: overall - bounds.maxDrop,
    detail:
      flagged.length === 0
        ? `${scored.length} slices; none of ≥ ${bounds.minRows} rows is more than ${bounds.maxDrop} below the whole (${overall.toFixed(4)})`
        : `${flagged.length} slice(s) more than ${bounds.maxDrop} below the whole (${overall.toFixed(4)}): ${flagged
            .slice(0, 5)
            .map((s) => `${s.feature}=${s.slice} ${(s.score ?? 0).toFixed(4)} (${s.rows} rows)`)
            .join(', ')}`,
  });
  // The stored list keeps the flagged slices first, then the others, within the contract's cap.
  const slices = [...flagged, ...scored.filter((s) => !s.flagged)].slice(0, 200);
  return { results, baselines, baselineLift, slices, calibration: cal };
}
