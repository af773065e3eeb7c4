import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  calibration,
  classPrior,
  fitLinear,
  fitLogistic,
  predictLinear,
  predictLogistic,
  priorProbabilities,
  r2,
  scoreSlices,
  sliceRows,
  worstSlice,
} from '../../src/metrics';
import { mulberry32 } from '../../src/split';

describe('calibration', () => {
  it('is 0 for a model whose confidence equals its accuracy', () => {
    // Four rows at 0.75 confidence, three right: perfectly calibrated.
    const probs = [0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25];
    const out = calibration([0, 0, 0, 1], probs, 2);
    expect(out.ece).toBeCloseTo(0, 10);
    expect(out.bins[7]).toMatchObject({ count: 4, confidence: 0.75, accuracy: 0.75 });
    expect(out.bins.filter((b) => b.count === 0).every((b) => b.accuracy === null)).toBe(true);
  });

  it('measures confident mistakes: 0.99 sure and half wrong gives ECE 0.49', () => {
    const probs = [0.99, 0.01, 0.99, 0.01];
    const out = calibration([0, 1], probs, 2);
    expect(out.ece).toBeCloseTo(0.49, 10);
    // A probability of exactly 1 falls in the last bin.
    expect(calibration([0], [1, 0], 2).bins[9]?.count).toBe(1);
  });
});

describe('baselines', () => {
  it('the class prior is the training frequencies; its accuracy is the majority share', () => {
    const prior = classPrior([0, 0, 0, 1], 2);
    expect(Array.from(prior)).toEqual([0.75, 0.25]);
    const probs = priorProbabilities(prior, 3);
    expect(Array.from(argmaxRows(probs, 2))).toEqual([0, 0, 0]);
    expect(accuracy([0, 1, 1], argmaxRows(probs, 2))).toBeCloseTo(1 / 3);
  });

  it('logistic regression separates a linearly separable problem the prior cannot', () => {
    const rand = mulberry32(7);
    const rows = 200;
    const x = new Float32Array(rows * 2);
    const y: number[] = [];
    for (let r = 0; r < rows; r++) {
      x[r * 2] = rand() * 2 - 1;
      x[r * 2 + 1] = rand() * 2 - 1;
      y.push((x[r * 2] ?? 0) + (x[r * 2 + 1] ?? 0) > 0 ? 1 : 0);
    }
    const model = fitLogistic(x, y, rows, 2, 2, { epochs: 300 });
    const probs = predictLogistic(model, x, rows);
    expect(accuracy(y, argmaxRows(probs, 2))).toBeGreaterThan(0.95);
    const sums = Array.from(
      { length: rows },
      (_, r) => (probs[r * 2] ?? 0) + (probs[r * 2 + 1] ?? 0),
    );
    expect(sums.every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
  });

  it('linear regression recovers y = 3a − 2b + 1 exactly', () => {
    const x = [0, 0, 1, 0, 0, 1, 2, 3, -1, 4];
    const y = [1, 4, -1, 1, -10];
    const model = fitLinear(x, y, 5, 2, 0);
    expect(Array.from(model.weights).map((w) => Number(w.toFixed(6)))).toEqual([3, -2, 1]);
    expect(r2(y, predictLinear(model, x, 5))).toBeCloseTo(1, 9);
  });

  it('a constant feature (singular normal equations) does not break the fit', () => {
    const x = [1, 0, 1, 1, 1, 2, 1, 3];
    const model = fitLinear(x, [1, 3, 5, 7], 4, 2, 0);
    expect(Array.from(predictLinear(model, x, 4)).map((v) => Number(v.toFixed(6)))).toEqual([
      1, 3, 5, 7,
    ]);
  });
});

describe('slices', () => {
  const rows = [
    { island: 'Biscoe', mass: 1, ok: true },
    { island: 'Biscoe', mass: 2, ok: true },
    { island: 'Dream', mass: 3, ok: false },
    { island: 'Dream', mass: 4, ok: false },
    { island: null, mass: null, ok: true },
    { island: 'Biscoe', mass: 8, ok: true },
    { island: 'Dream', mass: 9, ok: false },
    { island: 'Biscoe', mass: 10, ok: true },
  ];
  const groups = sliceRows(
    [
      { name: 'island', type: 'categorical' },
      { name: 'mass', type: 'numeric' },
    ],
    rows,
  );

  it('slices each category (missing included) and numeric quartile bins', () => {
    expect(
      groups.filter((g) => g.feature === 'island').map((g) => [g.slice, g.indices.length]),
    ).toEqual([
      ['Biscoe', 4],
      ['Dream', 3],
      ['(missing)', 1],
    ]);
    const mass = groups.filter((g) => g.feature === 'mass');
    expect(mass.map((g) => g.slice)).toEqual([
      '[1, 2)',
      '[2, 4)',
      '[4, 8)',
      '[8, 10]',
      '(missing)',
    ]);
    expect(mass.reduce((n, g) => n + g.indices.length, 0)).toBe(rows.length);
  });

  it('flags a slice far below the whole only when it has enough rows', () => {
    const score = (idx: readonly number[]) => idx.filter((i) => rows[i]?.ok).length / idx.length;
    const overall = score(rows.map((_, i) => i));
    const scored = scoreSlices(groups, score, overall, { minRows: 3, maxDrop: 0.1 });
    const dream = scored.find((s) => s.slice === 'Dream');
    expect(dream).toMatchObject({ rows: 3, score: 0, flagged: true });
    // [2, 4) scores 0.5 but has 2 rows: listed, not flagged.
    expect(scored.find((s) => s.slice === '[2, 4)')).toMatchObject({ score: 0.5, flagged: false });
    expect(scored.find((s) => s.slice === 'Biscoe')?.flagged).toBe(false);
    expect(worstSlice(scored, 3)).toMatchObject({ feature: 'island', slice: 'Dream' });
  });

  it('keeps the most frequent values of an id-like column only', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ id: `row${i}` }));
    expect(sliceRows([{ name: 'id', type: 'categorical' }], many, 20)).toHaveLength(20);
  });
});
