import { beforeAll, describe, expect, it } from 'vitest';
import { modelTestsSchema, testCounts, type ModelTests } from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';
import { trainPipeline } from '../src/train/pipeline';
import { blobRows, blobSchema, linearRows, linearSchema, spec } from './data';

const byName = (t: ModelTests, name: string) => t.results.find((r) => r.name === name);

describe('model tests computed at training (held-out split, real TF.js)', () => {
  beforeAll(async () => {
    expect(await initBackend('cpu')).toBe('cpu');
  });

  it('classifier: baselines and lift, calibration, slices, replay, budgets, behavioural tests', async () => {
    const out = await trainPipeline({
      spec: spec({
        task: 'classification',
        target: 'species',
        seed: 7,
        hyperparameters: { epochs: 30, learningRate: 0.02, earlyStoppingPatience: 5 },
        tests: {
          maxModelBytes: 100,
          behavioural: [
            {
              kind: 'minimum_functionality',
              name: 'centres',
              cases: [
                { row: { x1: 6, x2: 0, color: 'green', flag: true }, expect: 'versicolor' },
                { row: { x1: 0, x2: 6, color: 'blue', flag: false }, expect: 'virginica' },
              ],
            },
            {
              kind: 'minimum_functionality',
              name: 'wrong_on_purpose',
              cases: [{ row: { x1: 6, x2: 0, color: 'green', flag: true }, expect: 'setosa' }],
            },
            {
              kind: 'invariance',
              name: 'flag_irrelevant',
              feature: 'flag',
              values: [true, false],
              minPassRate: 0.8,
            },
            {
              kind: 'directional',
              name: 'x2_up_virginica',
              feature: 'x2',
              delta: 4,
              direction: 'increase',
              label: 'virginica',
              minPassRate: 0.8,
            },
            {
              kind: 'directional',
              name: 'not_numeric',
              feature: 'color',
              delta: 1,
              direction: 'increase',
              label: 'setosa',
            },
            { kind: 'invariance', name: 'unknown_feature', feature: 'nope', values: [1] },
          ],
        },
      }),
      schema: blobSchema,
      rows: blobRows(300),
    });
    const t = modelTestsSchema.parse(out.modelTests);
    expect(t.rows).toBe(out.sizes.test);

    // Baselines on the same split: the class prior is ~1/3 on balanced blobs; the model beats it.
    const majority = t.baselines.find((b) => b.name === 'majority');
    expect(majority?.value).toBeLessThan(0.5);
    expect(majority?.lift).toBeCloseTo(out.metrics.accuracy! - majority!.value, 10);
    expect(t.baselines.find((b) => b.name === 'logistic')?.value).toBeGreaterThan(0.9);
    expect(t.baselineLift).toBe(Math.min(...t.baselines.map((b) => b.lift)));
    expect(byName(t, 'baseline:majority')?.passed).toBe(true);

    expect(t.calibration?.bins).toHaveLength(10);
    expect(t.calibration?.bins.reduce((n, b) => n + b.count, 0)).toBe(t.rows);
    expect(byName(t, 'calibration:ece')?.value).toBe(t.calibration?.ece);

    // Slices: every colour value, the flag values, quartile bins of x1 and x2.
    const features = new Set(t.slices.map((s) => s.feature));
    expect([...features].sort()).toEqual(['color', 'flag', 'x1', 'x2']);
    expect(t.slices.filter((s) => s.feature === 'x2').length).toBeGreaterThanOrEqual(4);

    expect(byName(t, 'replay:examples')).toMatchObject({ passed: true, kind: 'replay' });
    expect(byName(t, 'replay:examples')?.value).toBeLessThanOrEqual(1e-4);
    // A 100-byte budget cannot hold the weights: the size check fails and says how big it is.
    expect(byName(t, 'budget:size')).toMatchObject({ passed: false, threshold: 100 });
    expect(byName(t, 'budget:size')?.value).toBeGreaterThan(100);
    expect(byName(t, 'budget:latency')?.value).toBeGreaterThan(0);

    expect(byName(t, 'centres')).toMatchObject({ passed: true, value: 1 });
    expect(byName(t, 'wrong_on_purpose')).toMatchObject({ passed: false, value: 0 });
    expect(byName(t, 'wrong_on_purpose')?.detail).toContain('expected setosa, got versicolor');
    expect(byName(t, 'flag_irrelevant')?.passed).toBe(true);
    expect(byName(t, 'x2_up_virginica')?.passed).toBe(true);
    expect(byName(t, 'not_numeric')).toMatchObject({ passed: false, value: null });
    expect(byName(t, 'not_numeric')?.detail).toContain('not numeric');
    expect(byName(t, 'unknown_feature')?.detail).toContain('not a feature');
    expect(testCounts(t).failed).toBeGreaterThanOrEqual(4);
  });

  it('regression: the mean and a linear model as baselines, scored by r2', async () => {
    const out = await trainPipeline({
      spec: spec({
        task: 'regression',
        target: 'y',
        seed: 3,
        hyperparameters: { epochs: 40, learningRate: 0.02, earlyStoppingPatience: 5 },
        tests: {
          behavioural: [
            { kind: 'directional', name: 'a_up', feature: 'a', delta: 1, direction: 'increase' },
            {
              kind: 'directional',
              name: 'b_up_wrongly',
              feature: 'b',
              delta: 1,
              direction: 'increase',
            },
          ],
        },
      }),
      schema: linearSchema,
      rows: linearRows(400),
    });
    const t = out.modelTests!;
    const mean = t.baselines.find((b) => b.name === 'mean');
    const linear = t.baselines.find((b) => b.name === 'linear');
    expect(mean?.metric).toBe('r2');
    // The training mean scores about 0 on held-out rows; the exact linear fit about 1.
    expect(Math.abs(mean!.value)).toBeLessThan(0.1);
    expect(linear?.value).toBeGreaterThan(0.99);
    expect(mean?.lift).toBeCloseTo(out.metrics.r2! - mean!.value, 6);
    expect(t.calibration).toBeNull();
    expect(byName(t, 'a_up')?.passed).toBe(true);
    // y = 3a − 2b + 10: raising b lowers y, so "must not decrease" fails on every row.
    expect(byName(t, 'b_up_wrongly')).toMatchObject({ passed: false, value: 0 });
  });
});
