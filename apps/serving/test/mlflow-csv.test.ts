/**
 * `text/csv` bodies as MLflow's scoring server reads them (`pandas.read_csv`): a header row,
 * each column typed from all its cells, empty unquoted cells missing.
 */
import { describe, expect, it } from 'vitest';
import { isAppError } from '@mlops/contracts';
import { csvToRecords } from '../src/protocols/mlflow-csv';

describe('csvToRecords', () => {
  it('types each column from all its cells', () => {
    const csv = 'n,flag,word,mixed\n1,True,red,1\n2.5e1,false,"blue",a\r\n-0.5,TRUE,x,2\n';
    expect(csvToRecords(csv)).toEqual([
      { n: 1, flag: true, word: 'red', mixed: '1' },
      { n: 25, flag: false, word: 'blue', mixed: 'a' },
      { n: -0.5, flag: true, word: 'x', mixed: '2' },
    ]);
  });

  it('reads quoted commas, doubled quotes and line breaks inside quotes', () => {
    const csv = 'a,b\n"x, y","say ""hi"""\n"two\nlines",z';
    expect(csvToRecords(csv)).toEqual([
      { a: 'x, y', b: 'say "hi"' },
      { a: 'two\nlines', b: 'z' },
    ]);
  });

  it('reads an empty unquoted cell as missing and an empty quoted one as text', () => {
    expect(csvToRecords('x,c\n1,""\n,red\n\n')).toEqual([
      { x: 1, c: '' },
      { x: null, c: 'red' },
    ]);
  });

  it('refuses a body without a header, ragged rows and an open quote, naming them', () => {
    for (const [csv, message] of [
      ['', /no header row/],
      ['a,b\n1,2\n3\n', /CSV row 2 has 1 values for 2 columns/],
      ['a\n"open', /ends inside a quoted value/],
    ] as const) {
      let caught: unknown;
      try {
        csvToRecords(csv);
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught), csv).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });
});
