import { describe, expect, it } from 'vitest';
import type { Signature } from '@mlops/contracts';
import { checkRecords, columnsFit } from '../../src/records';

const signature: Signature = {
  inputs: [
    { name: 'x', type: 'numeric', nullable: false },
    { name: 'width', type: 'numeric', nullable: true },
    { name: 'color', type: 'categorical', nullable: false, categories: ['blue', 'red'] },
    { name: 'flag', type: 'boolean', nullable: true },
  ],
  output: { task: 'classification', target: 'species', labels: ['a', 'b'] },
};

type Columns = Record<string, unknown[]>;
const good = (): Columns => ({
  x: [5.1, 0],
  width: [null, 2],
  color: ['green', 'red'],
  flag: [true, null],
});
const fits = (columns: Columns, rows = 2) =>
  columnsFit(signature, (name) => (Object.hasOwn(columns, name) ? columns[name] : undefined), rows);

/** The same columns as records, as the columnar protocols make them when a column does not fit. */
function records(columns: Columns, rows = 2): unknown[] {
  return Array.from({ length: rows }, (_, i) =>
    Object.fromEntries(Object.entries(columns).map(([name, cells]) => [name, cells[i]])),
  );
}

describe('columnsFit', () => {
  it('accepts the columns whose rows checkRecords accepts', () => {
    expect(fits(good())).toBe(true);
    expect(checkRecords(signature, records(good())).ok).toBe(true);
    // A nullable input may be left out; an extra column is not looked at.
    const { width: _w, flag: _f, ...required } = good();
    expect(fits({ ...required, extra: [{}, []] })).toBe(true);
  });

  it('refuses every column whose rows checkRecords refuses', () => {
    const bad: Columns[] = [
      { ...good(), x: [5.1, 'high'] },
      { ...good(), x: [5.1, null] },
      { ...good(), x: [5.1, Infinity] },
      { ...good(), x: [5.1, Number.NaN] },
      { ...good(), width: [null, '2'] },
      { ...good(), color: ['green', 7] },
      { ...good(), flag: [true, 'yes'] },
    ];
    for (const columns of bad) {
      expect(fits(columns)).toBe(false);
      expect(checkRecords(signature, records(columns)).ok).toBe(false);
    }
    const { x: _x, ...missing } = good();
    expect(fits(missing)).toBe(false);
    expect(checkRecords(signature, records(missing)).ok).toBe(false);
  });

  it('refuses a column that does not have one cell per row', () => {
    expect(fits({ ...good(), x: [5.1] })).toBe(false);
    expect(fits({ ...good(), width: [null, 2, 3] })).toBe(false);
  });
});
