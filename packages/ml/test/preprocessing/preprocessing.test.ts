import { describe, expect, it } from 'vitest';
import { AppError, type Column, type DataRow } from '@mlops/contracts';
import {
  decodePredictions,
  encodeColumnsInto,
  encodeFeatures,
  encodeFeaturesInto,
  encodeLabelIndices,
  encodeTargets,
  fitPreprocessing,
} from '../../src/preprocessing';

const columns: Column[] = [
  { name: 'x', type: 'numeric', nullable: true },
  { name: 'color', type: 'categorical', nullable: true },
  { name: 'flag', type: 'boolean', nullable: true },
];
const label: Column = { name: 'y', type: 'categorical', nullable: false };
const rows: DataRow[] = [
  { x: 1, color: 'red', flag: true, y: 'b' },
  { x: 3, color: 'blue', flag: true, y: 'a' },
  { x: null, color: 'red', flag: false, y: 'b' },
  { x: 5, color: null, flag: null, y: 'c' },
];

describe('fitPreprocessing', () => {
  it('fits mean/std, sorted one-hot categories, modes and sorted labels', () => {
    const prep = fitPreprocessing(columns, label, 'classification', rows);
    // x: values 1,3,5 → mean 3, population std sqrt(8/3)
    expect(prep.features[0]).toEqual({
      kind: 'standardize',
      column: 'x',
      mean: 3,
      std: Math.sqrt(8 / 3),
      impute: 3,
    });
    expect(prep.features[1]).toEqual({
      kind: 'one-hot',
      column: 'color',
      categories: ['blue', 'red'],
      impute: 'red',
    });
    expect(prep.features[2]).toEqual({ kind: 'boolean', column: 'flag', impute: true });
    expect(prep.target).toEqual({ kind: 'label-encode', column: 'y', labels: ['a', 'b', 'c'] });
    expect(prep.inputWidth).toBe(4);
  });

  it('uses std 1 for a constant column and label-encodes numeric/boolean targets as strings', () => {
    const prep = fitPreprocessing(
      [{ name: 'x', type: 'numeric', nullable: false }],
      { name: 'y', type: 'numeric', nullable: false },
      'classification',
      [
        { x: 2, y: 10 },
        { x: 2, y: 2 },
      ],
    );
    expect(prep.features[0]).toMatchObject({ mean: 2, std: 1 });
    expect(prep.target).toMatchObject({ labels: ['10', '2'] });
  });

  it('standardizes a regression target', () => {
    const prep = fitPreprocessing(
      [{ name: 'x', type: 'numeric', nullable: false }],
      { name: 'y', type: 'numeric', nullable: false },
      'regression',
      [
        { x: 0, y: 1 },
        { x: 1, y: 3 },
      ],
    );
    expect(prep.target).toEqual({ kind: 'standardize', column: 'y', mean: 2, std: 1 });
    expect(Array.from(encodeTargets(prep, [{ y: 1 }, { y: 4 }]))).toEqual([-1, 2]);
    expect(decodePredictions(prep, new Float32Array([0.5, -1]), 2)).toEqual([
      { value: 2.5 },
      { value: 1 },
    ]);
  });

  it('rejects a single-class target, a non-numeric regression target and the target as a feature', () => {
    const single = () =>
      fitPreprocessing(
        columns,
        label,
        'classification',
        rows.map((r) => ({ ...r, y: 'a' })),
      );
    expect(single).toThrow(AppError);
    expect(single).toThrow(/at least 2/);
    expect(() => fitPreprocessing(columns, label, 'regression', rows)).toThrow(/numeric target/);
    expect(() => fitPreprocessing([...columns, label], label, 'classification', rows)).toThrow(
      /cannot also be a feature/,
    );
  });
});

describe('encodeFeatures', () => {
  const prep = fitPreprocessing(columns, label, 'classification', rows);
  const s = Math.sqrt(8 / 3);

  it('standardizes, one-hots, imputes and zeroes unknown categories', () => {
    const encoded = encodeFeatures(prep, [
      { x: 5, color: 'blue', flag: false },
      { x: null, color: null, flag: null },
      { x: 3, color: 'green', flag: true },
    ]);
    expect(encoded).toBeInstanceOf(Float32Array);
    const expected = [2 / s, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1];
    Array.from(encoded).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('encodes rows alike whatever their key order, extra keys or missing features', () => {
    const inOrder: DataRow[] = [
      { x: 5, color: 'blue', flag: false },
      { x: 3, color: 'green', flag: true },
      { x: null, color: 'a', flag: null },
    ];
    const expected = Array.from(encodeFeatures(prep, inOrder));
    const shuffled: DataRow[] = [
      { y: 'a', x: 5, color: 'blue', flag: false }, // a training row: the target first
      { flag: true, color: 'green', x: 3 }, // reversed
      { color: 'a' }, // x and flag missing: imputed, as null is
    ];
    expect(Array.from(encodeFeatures(prep, shuffled))).toEqual(expected);
  });

  it('returns an empty array for no rows', () => {
    expect(encodeFeatures(prep, [])).toHaveLength(0);
  });

  it('encodes with each preprocessing its own, however many were used before', () => {
    const row: DataRow = { x: 5, color: 'blue', flag: false };
    const first = Array.from(encodeFeatures(prep, [row]));
    // Fitted on other rows: same columns, other mean, std and categories.
    const other = fitPreprocessing(columns, label, 'classification', [
      ...rows,
      { x: 11, color: 'blue', flag: true, y: 'a' },
    ]);
    const second = Array.from(encodeFeatures(other, [row]));
    expect(second).not.toEqual(first);
    expect(Array.from(encodeFeatures(prep, [row]))).toEqual(first);
    expect(Array.from(encodeFeatures(other, [row]))).toEqual(second);
  });
});

describe('targets and predictions', () => {
  const prep = fitPreprocessing(columns, label, 'classification', rows);

  it('one-hot encodes labels', () => {
    expect(Array.from(encodeTargets(prep, [{ y: 'c' }, { y: 'a' }]))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(encodeLabelIndices(prep, [{ y: 'b' }]))).toEqual([1]);
  });

  it('throws on a label unseen in training or a missing target', () => {
    expect(() => encodeTargets(prep, [{ y: 'zzz' }])).toThrow(/not seen in training/);
    expect(() => encodeTargets(prep, [{ y: null }])).toThrow(/missing/);
  });

  it('decodes argmax labels and per-label probabilities', () => {
    const out = decodePredictions(prep, new Float32Array([0.1, 0.7, 0.2, 0.5, 0.25, 0.25]), 2);
    expect(out[0]).toMatchObject({ label: 'b' });
    expect(out[1]).toMatchObject({ label: 'a' });
    const p = (out[0] as { probabilities: Record<string, number> }).probabilities;
    expect(Object.keys(p)).toEqual(['a', 'b', 'c']);
    expect(p.b).toBeCloseTo(0.7, 6);
  });

  it('rejects output of the wrong width', () => {
    expect(() => decodePredictions(prep, new Float32Array(5), 2)).toThrow(/does not match/);
  });
});

describe('encodeColumnsInto', () => {
  it('writes what encodeFeatures writes for the same rows, at the given row', () => {
    const prep = fitPreprocessing(columns, label, 'classification', rows);
    const served: DataRow[] = [
      { x: 2, color: 'blue', flag: false },
      { x: null, color: 'green', flag: null },
      { x: 4.5, color: null, flag: true },
    ];
    const cells = new Map(columns.map((c) => [c.name, served.map((r) => r[c.name] ?? null)]));
    const width = prep.inputWidth;
    const out = new Float32Array(4 * width);
    encodeColumnsInto(prep, (name) => cells.get(name), served.length, out, 1);
    expect(out.subarray(0, width)).toEqual(new Float32Array(width));
    expect(out.subarray(width)).toEqual(encodeFeatures(prep, served));
    // A column left out is every row's missing value, as a record without the key.
    const without = new Float32Array(3 * width);
    encodeColumnsInto(prep, (name) => (name === 'x' ? undefined : cells.get(name)), 3, without, 0);
    expect(without).toEqual(
      encodeFeatures(
        prep,
        served.map(({ x: _x, ...rest }) => rest),
      ),
    );
  });

  it('writes rows into a larger input with encodeFeaturesInto as encodeFeatures does', () => {
    const prep = fitPreprocessing(columns, label, 'classification', rows);
    const out = new Float32Array(6 * prep.inputWidth);
    encodeFeaturesInto(prep, rows, out, 2);
    expect(out.subarray(2 * prep.inputWidth)).toEqual(encodeFeatures(prep, rows));
  });
});
