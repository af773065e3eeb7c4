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
});
