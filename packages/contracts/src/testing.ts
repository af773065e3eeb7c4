import type { ModelTests } from './model-tests';

/**
 * A model-tests report for tests of what reads one (CLI, web): three tests, one failed
 * (`island_invariant`, invariance, 5/10), a baseline lift of -0.02 against `logistic`, an ECE of
 * 0.042 and a flagged worst slice `island=Dream` (0.75 on 12 rows), on 30 held-out rows.
 * A fresh object each call, so a test may change it.
 */
export function sampleModelTests(): ModelTests {
  return {
    results: [
      {
        name: 'baseline:majority',
        kind: 'baseline',
        passed: true,
        value: 0.6,
        threshold: 0,
        detail: '',
      },
      {
        name: 'calibration:ece',
        kind: 'calibration',
        passed: true,
        value: 0.042,
        threshold: 0.15,
        detail: '',
      },
      {
        name: 'island_invariant',
        kind: 'invariance',
        passed: false,
        value: 0.5,
        threshold: 1,
        detail: '5/10',
      },
    ],
    baselineLift: -0.02,
    baselines: [
      { name: 'majority', metric: 'accuracy', value: 0.33, lift: 0.6, logLoss: 1.1 },
      { name: 'logistic', metric: 'accuracy', value: 0.95, lift: -0.02, logLoss: 0.2 },
    ],
    slices: [
      { feature: 'island', slice: 'Dream', rows: 12, score: 0.75, flagged: true },
      { feature: 'island', slice: 'Biscoe', rows: 15, score: 1, flagged: false },
    ],
    calibration: { ece: 0.042, bins: [] },
    rows: 30,
  };
}
