import { describe, expect, it } from 'vitest';
import type { Signature } from '@mlops/contracts';
import { checkRecords, MAX_RECORD_DETAILS } from '../../src/records';

const signature: Signature = {
  inputs: [
    { name: 'sepal_length', type: 'numeric', nullable: false },
    { name: 'width', type: 'numeric', nullable: true },
    { name: 'color', type: 'categorical', nullable: false, categories: ['blue', 'red'] },
    { name: 'flag', type: 'boolean', nullable: true },
  ],
  output: { task: 'classification', target: 'species', labels: ['a', 'b'] },
};

const good = { sepal_length: 5.1, width: null, color: 'green', flag: true, extra: 'ignored' };

describe('checkRecords', () => {
  it('accepts valid records, keeps only signature inputs, allows unknown categories and nulls in nullable columns', () => {
    const result = checkRecords(signature, [
      good,
      { sepal_length: 0, width: 2, color: 'red', flag: null },
    ]);
    expect(result).toEqual({
      ok: true,
      rows: [
        { sepal_length: 5.1, width: null, color: 'green', flag: true },
        { sepal_length: 0, width: 2, color: 'red', flag: null },
      ],
    });
  });

  it('passes a record holding exactly the inputs through as the row, without a copy', () => {
    const { extra: _extra, ...exact } = good;
    const result = checkRecords(signature, [exact]);
    expect(result.ok && result.rows[0]).toBe(exact);
  });

  it('checks records whose keys come in another order like those in order', () => {
    const reordered = { flag: true, color: 'green', width: null, sepal_length: 5.1 };
    const result = checkRecords(signature, [reordered, { ...reordered, sepal_length: 'x' }]);
    expect(result).toEqual({
      ok: false,
      details: [
        {
          path: 'instances[1].sepal_length',
          message: 'expected a number, got string "x"',
        },
      ],
    });
    const ok = checkRecords(signature, [reordered]);
    expect(ok.ok && ok.rows[0]).toEqual(reordered);
  });

  it('names a missing feature', () => {
    const { sepal_length: _omit, ...rest } = good;
    const result = checkRecords(signature, [good, rest]);
    expect(result).toEqual({
      ok: false,
      details: [
        {
          path: 'instances[1].sepal_length',
          message: 'missing feature "sepal_length" (expected numeric)',
        },
      ],
    });
  });

  it('reads a left-out nullable feature as null, and still names a left-out required one', () => {
    const result = checkRecords(signature, [
      { sepal_length: 1, color: 'red' },
      { color: 'red', flag: false, extra: 1 },
    ]);
    expect(result).toEqual({
      ok: false,
      details: [
        {
          path: 'instances[1].sepal_length',
          message: 'missing feature "sepal_length" (expected numeric)',
        },
      ],
    });
    const ok = checkRecords(signature, [{ sepal_length: 1, color: 'red', other: 'x' }]);
    expect(ok).toEqual({
      ok: true,
      rows: [{ sepal_length: 1, width: null, color: 'red', flag: null }],
    });
    // As many keys as inputs, one of them extra: the row is still completed, not passed through.
    const same = checkRecords(signature, [{ sepal_length: 1, color: 'red', flag: true, x: 2 }]);
    expect(same.ok && same.rows[0]).toEqual({
      sepal_length: 1,
      width: null,
      color: 'red',
      flag: true,
    });
  });

  it('rejects numeric strings, wrong types and null in non-nullable columns', () => {
    const result = checkRecords(signature, [
      { ...good, sepal_length: '5.1' },
      { ...good, color: 3 },
      { ...good, flag: 'yes' },
      { ...good, sepal_length: null },
      { ...good, color: null },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details).toEqual([
      { path: 'instances[0].sepal_length', message: 'expected a number, got string "5.1"' },
      { path: 'instances[1].color', message: 'expected a category string, got number 3' },
      { path: 'instances[2].flag', message: 'expected true or false, got string "yes"' },
      {
        path: 'instances[3].sepal_length',
        message: 'must not be null (feature "sepal_length" is not nullable)',
      },
      { path: 'instances[4].color', message: 'must not be null (feature "color" is not nullable)' },
    ]);
  });

  it('rejects non-objects and non-finite numbers', () => {
    const result = checkRecords(signature, [null, [1, 2], 'x', { ...good, width: Number.NaN }]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details.map((d) => d.path)).toEqual([
      'instances[0]',
      'instances[1]',
      'instances[2]',
      'instances[3].width',
    ]);
    expect(result.details[1]?.message).toBe('expected an object of feature values, got array');
    expect(result.details[3]?.message).toBe('expected a finite number, got NaN');
  });

  it(`stops at ${MAX_RECORD_DETAILS} details`, () => {
    const bad = Array.from({ length: 100 }, () => ({}));
    const result = checkRecords(signature, bad);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details).toHaveLength(MAX_RECORD_DETAILS);
  });

  it('accepts an empty list', () => {
    expect(checkRecords(signature, [])).toEqual({ ok: true, rows: [] });
  });
});
