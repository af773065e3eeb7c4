import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { CellValue } from '@mlops/contracts';
import { RowChunkWriter, RowReader } from '../src/thread/rows';

/** Rows as the registry serves them: one JSON array per line. */
function jsonLines(rows: readonly CellValue[][]): Buffer {
  return Buffer.from(rows.map((row) => JSON.stringify(row) + '\n').join(''));
}

describe('row chunks (host to training thread)', () => {
  it('round-trips every kind of cell, including newlines and non-ASCII text', () => {
    const rows: CellValue[][] = [
      [1.5, -2, 1e-300, 'setosa', true, null],
      ['line\nbreak', 'tab\t"quoted"', 'ünïcödé ✓ 😀', false, 0, ''],
      [],
    ];
    // Capacity far below the rows' size: the buffer has to grow on the way.
    const writer = new RowChunkWriter(1);
    writer.push(jsonLines(rows.slice(0, 2)));
    writer.push(jsonLines(rows.slice(2)));
    expect(writer.count).toBe(3);
    const bytes = writer.finish();
    expect(bytes.byteOffset).toBe(0);
    expect([...new RowReader().read(bytes)]).toEqual(rows);
  });

  it('copies the blocks it is given: a block that is a view into a larger buffer stays intact', () => {
    const pooled = Buffer.concat([Buffer.from('xx'), jsonLines([[1], [2]]), Buffer.from('yy')]);
    const block = pooled.subarray(2, pooled.length - 2);
    const writer = new RowChunkWriter(16);
    writer.push(block);
    const bytes = writer.finish();
    expect(bytes.buffer).not.toBe(pooled.buffer);
    expect([...new RowReader().read(bytes)]).toEqual([[1], [2]]);
  });

  it('survives the transfer of its buffer to another thread', () => {
    const writer = new RowChunkWriter(64);
    for (let i = 0; i < 1_000; i++) writer.push(jsonLines([[i, `c${i % 3}`, i % 2 === 0]]));
    const bytes = writer.finish();
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<Uint8Array>((resolve) => port2.once('message', resolve));
    port1.postMessage(bytes, [bytes.buffer]);
    // Moved, not copied: the sender's view is detached.
    expect(bytes.byteLength).toBe(0);
    return received.then((moved) => {
      port1.close();
      port2.close();
      const out = [...new RowReader().read(moved)];
      expect(out).toHaveLength(1_000);
      expect(out[999]).toEqual([999, 'c0', false]);
    });
  });

  it('an empty chunk holds no rows', () => {
    expect([...new RowReader().read(new RowChunkWriter(16).finish())]).toEqual([]);
  });

  it('skips blank lines and reads CRLF line ends, as the client parseRows does', () => {
    const bytes = Buffer.from('[1]\r\n\n[2,"a"]\r\n\r\n[3]');
    expect([...new RowReader().read(bytes)]).toEqual([[1], [2, 'a'], [3]]);
  });

  it('checks each row and names a bad one by its number in the pass, across chunks', () => {
    for (const bad of ['{"a":1}', '[1,[2]]', '[1,{}]', 'not json', '"text"']) {
      const reader = new RowReader();
      expect([...reader.read(jsonLines([[1], [2]]))]).toHaveLength(2);
      // Row 3 is the first of the pass's second chunk (a blank line is not a row).
      expect(() => [...reader.read(Buffer.from(`\n${bad}\n[4]\n`))]).toThrow(
        'row 3 of the stored dataset is not a JSON array of cells',
      );
    }
  });
});
