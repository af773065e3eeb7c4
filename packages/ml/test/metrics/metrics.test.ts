import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  classificationMetrics,
  logLoss,
  macroF1,
  mae,
  r2,
  regressionMetrics,
  rmse,
} from '../../src/metrics';

// Reference values are computed by hand in the comments (the same definitions as scikit-learn's
// accuracy_score, f1_score(average='macro'), log_loss, mean_squared_error, r2_score).
describe('classification metrics', () => {
  const yTrue = [0, 0, 1, 1, 2, 2];
  const yPred = [0, 1, 1, 1, 2, 0];

  it('accuracy = 4/6', () => {
    expect(accuracy(yTrue, yPred)).toBeCloseTo(4 / 6, 12);
    expect(accuracy([], [])).toBe(0);
  });

  it('macro F1 averages per-class F1', () => {
    // class 0: tp 1, fp 1, fn 1 → 0.5; class 1: tp 2, fp 1, fn 0 → 0.8; class 2: tp 1, fp 0, fn 1 → 2/3
    expect(macroF1(yTrue, yPred)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(macroF1([1, 1], [1, 1])).toBe(1);
    // a class only predicted (never true) counts with F1 0: class 0 → 0, class 1: tp 1, fn 1 → 2/3
    expect(macroF1([1, 1], [1, 0])).toBeCloseTo((0 + 2 / 3) / 2, 12);
  });

  it('log loss is the mean negative log-probability of the true class, clipped', () => {
    const probs = [0.8, 0.2, 0.4, 0.6];
    expect(logLoss([0, 1], probs, 2)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
    // p = 0 is clipped to 1e-15: -ln(1e-15) = 34.538776394910684
    expect(logLoss([1], [1, 0], 2)).toBeCloseTo(34.538776394910684, 9);
  });

  it('argmax and the combined record use the platform keys', () => {
    expect(Array.from(argmaxRows([0.1, 0.9, 0.6, 0.4], 2))).toEqual([1, 0]);
    const m = classificationMetrics([1, 0], [0.1, 0.9, 0.6, 0.4], 2);
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'log_loss', 'macro_f1']);
    expect(m.accuracy).toBe(1);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.6)) / 2, 12);
  });
});

describe('regression metrics', () => {
  const yTrue = [3, -0.5, 2, 7];
  const yPred = [2.5, 0, 2, 8];

  it('match hand-computed values', () => {
    // squared errors 0.25, 0.25, 0, 1 → MSE 0.375
    expect(rmse(yTrue, yPred)).toBeCloseTo(Math.sqrt(0.375), 12);
    // absolute errors 0.5, 0.5, 0, 1 → 0.5
    expect(mae(yTrue, yPred)).toBeCloseTo(0.5, 12);
    // mean 2.875; SS_tot = 29.1875; SS_res = 1.5 → 1 - 1.5/29.1875 = 0.9486081370449679
    expect(r2(yTrue, yPred)).toBeCloseTo(0.9486081370449679, 12);
  });

  it('handles a constant truth and empty input', () => {
    expect(r2([1, 1], [1, 1])).toBe(1);
    expect(r2([1, 1], [1, 2])).toBe(0);
    expect(rmse([], [])).toBe(0);
    expect(Object.keys(regressionMetrics([1], [1])).sort()).toEqual(['mae', 'r2', 'rmse']);
  });
});
