import { describe, expect, it } from 'vitest';
import { classificationMetrics, regressionMetrics } from '../src/quality';

describe('live quality metrics', () => {
  it('matches sklearn on a fixed sample', () => {
    // sklearn.metrics on y_true=[a,a,a,b,b,c], y_pred=[a,a,b,b,c,c]:
    // accuracy_score = 4/6; f1_score(average='macro') = mean(0.8, 0.5, 0.6667) = 0.65556
    const truth = ['a', 'a', 'a', 'b', 'b', 'c'];
    const pred = ['a', 'a', 'b', 'b', 'c', 'c'];
    const rows = truth.map((t, i) => ({
      predictionId: String(i),
      features: {},
      truth: t,
      predicted: pred[i]!,
    }));
    const m = classificationMetrics(rows);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('computes rmse and mae', () => {
    // errors 1, -2, 0, 3 → rmse = sqrt(14/4), mae = 6/4
    const pairs: Array<[number, number]> = [
      [1, 2],
      [4, 2],
      [5, 5],
      [0, 3],
    ];
    const rows = pairs.map(([t, p], i) => ({
      predictionId: String(i),
      features: {},
      truth: t,
      predicted: p,
    }));
    const m = regressionMetrics(rows);
    expect(m.rmse).toBeCloseTo(Math.sqrt(14 / 4), 12);
    expect(m.mae).toBeCloseTo(1.5, 12);
  });
});
