import { describe, expect, it } from 'vitest';
import { DATASET_LIMITS, limitScannerFor } from '../src/domain/datasets/limits';

/** Feed `text` in chunks of `size` bytes (chunk borders fall anywhere, as on a socket). */
function scan(format: 'csv' | 'jsonl', text: string, size: number): void {
  const bytes = Buffer.from(text);
  const scanner = limitScannerFor(format);
  for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  scanner.end();
}

describe('the upload limit scanner, whatever the chunking', () => {
  const cell = DATASET_LIMITS.cellBytes;
  for (const size of [7, 4096, 65_536, 1 << 20]) {
    it(`chunks of ${size} bytes`, () => {
      // Unquoted data lines: a cell one byte too long is caught across chunk borders...
      const long = `a,b\n1,2\n3,${'x'.repeat(cell + 1)}\n`;
      expect(() => scan('csv', long, size)).toThrow(/a cell on line 3 is longer/);
      // ...a line of many short cells longer than a cell is not a long cell...
      const many = `a\n${Array.from({ length: 20_000 }, () => '1234567').join(',')}\n`;
      expect(() => scan('csv', many, size)).not.toThrow();
      // ...the open cell carries over: a cell of exactly the limit passes, in any line ending.
      for (const eol of ['\n', '\r\n', '\r'])
        expect(() =>
          scan('csv', `a,b${eol}1,${'y'.repeat(cell)}${eol}2,3${eol}`, size),
        ).not.toThrow();
      // Quoted commas and newlines are inside a cell; a quoted cell spans lines.
      expect(() => scan('csv', `"a,b",c\n"${'z\n'.repeat(cell)}",1\n`, size)).toThrow(
        /longer than 65536 bytes/,
      );
      expect(() => scan('csv', `${'c,'.repeat(2_000)}c\n1\n`, size)).toThrow(
        'the dataset has 2001 columns; at most 2000 are allowed',
      );
      expect(() => scan('jsonl', `{"a":1}\r\n{"a":"${'q'.repeat(1 << 20)}"}\r\n`, size)).toThrow(
        /line 2 is longer/,
      );
    });
  }
});
