import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { CellValue } from '@mlops/contracts';
import { RowChunkWriter, readRows } from '../src/thread/rows';

describe('row chunks (host to training thread)', () => {
  it('round-trips every kind of cell, including newlines and non-ASCII text', () => {
    const rows: CellValue[][] = [
      [1.5, -2, 1e-300, 'setosa', true, null],
      ['line\nbreak', 'tab\t"quoted"', 'ünïcödé ✓ 😀', false, 0, ''],
      [],
    ];
    // Capacity far below the rows' size: the buffer has to grow on the way.
    const writer = new RowChunkWriter(1);
    for (const row of rows) writer.push(row);
    expect(writer.count).toBe(3);
    const bytes = writer.finish();
    expect(bytes.byteOffset).toBe(0);
    expect([...readRows(bytes)]).toEqual(rows);
  });

  it('survives the transfer of its buffer to another thread', () => {
    const writer = new RowChunkWriter(64);
    for (let i = 0; i < 1_000; i++) writer.push([i, `c${i % 3}`, i % 2 === 0]);
    const bytes = writer.finish();
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<Uint8Array>((resolve) => port2.once('message', resolve));
    port1.postMessage(bytes, [bytes.buffer]);
    // Moved, not copied: the sender's view is detached.
    expect(bytes.byteLength).toBe(0);
    return received.then((moved) => {
      port1.close();
      port2.close();
      const out = [...readRows(moved)];
      expect(out).toHaveLength(1_000);
      expect(out[999]).toEqual([999, 'c0', false]);
    });
  });

  it('an empty chunk holds no rows', () => {
    expect([...readRows(new RowChunkWriter(16).finish())]).toEqual([]);
  });
});
