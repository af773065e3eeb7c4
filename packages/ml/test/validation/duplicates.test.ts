import { describe, expect, it } from 'vitest';
import { DuplicateCounter } from '../../src/validation';

describe('DuplicateCounter', () => {
  it('counts rows equal to an earlier row, exactly, across table growth', () => {
    const counter = new DuplicateCounter();
    const seen = new Set<string>();
    let expected = 0;
    // 300k lines, 150k distinct in a scattered order: the table grows many times.
    for (let i = 0; i < 300_000; i++) {
      const k = (i * 7919) % 150_000;
      const line = JSON.stringify([k, `c${k % 11}`, k % 2 === 0]);
      if (seen.has(line)) expected += 1;
      else seen.add(line);
      counter.add(line);
    }
    expect(expected).toBe(150_000);
    expect(counter.count).toBe(expected);
  });

  it('tells apart lines that differ in one character, order or length', () => {
    const counter = new DuplicateCounter();
    for (const line of ['[1,2]', '[2,1]', '[1,2 ]', '[1,3]', '["a"]', '["a","a"]', '', '[12]'])
      counter.add(line);
    expect(counter.count).toBe(0);
    counter.add('[1,2]');
    counter.add('');
    expect(counter.count).toBe(2);
  });

  it('digests an ASCII line given as bytes as it digests the same line as a string', () => {
    const counter = new DuplicateCounter();
    const lines = ['[1,2]', '["a b",null,true]', '', '[-0.5,1e+21]', '["\\u001f"]'];
    for (const line of lines) counter.add(line);
    expect(counter.count).toBe(0);
    // Each line again, as bytes inside a larger buffer: every one a duplicate.
    for (const line of lines) {
      const bytes = Buffer.from(`xx${line}yy`, 'latin1');
      counter.addAscii(bytes, 2, 2 + line.length);
    }
    expect(counter.count).toBe(lines.length);
    // One byte off, or the bytes around it, is another line.
    const bytes = Buffer.from('x[1,2]', 'latin1');
    counter.addAscii(bytes, 0, 6);
    counter.addAscii(bytes, 1, 5);
    expect(counter.count).toBe(lines.length);
  });
});
