import { describe, expect, it, vi } from 'vitest';
import { LOG_FLUSH_ROWS, LogBuffer } from '../src/inference/log-buffer';
import type { ServedBatch } from '../src/payload-log';

function recorder() {
  const batches: ServedBatch[] = [];
  return { batches, buffer: new LogBuffer({ record: (b) => batches.push(b) }) };
}

const row = (i: number) => ({ x: i });
const prediction = { value: 1 };

describe('LogBuffer', () => {
  it('hands rows served in separate requests to the log as one batch per model version', () => {
    const { batches, buffer } = recorder();
    buffer.add('iris', 1, ['a'], [row(1)], [prediction]);
    buffer.add('iris', 1, ['b', 'c'], [row(2), row(3)], [prediction, prediction]);
    buffer.add('iris', 2, ['d'], [row(4)], [prediction]);
    buffer.add('wine', 1, ['e'], [row(5)], [prediction]);
    buffer.add('iris', 1, ['f'], [row(6)], [prediction]);
    expect(batches).toHaveLength(0); // nothing is written per request
    buffer.flush();
    expect(batches.map((b) => [b.model, b.version, b.ids])).toEqual([
      ['iris', 1, ['a', 'b', 'c', 'f']],
      ['iris', 2, ['d']],
      ['wine', 1, ['e']],
    ]);
    buffer.flush();
    expect(batches).toHaveLength(3);
  });

  it('flushes by itself shortly after, without anyone calling flush', async () => {
    const { batches, buffer } = recorder();
    buffer.add('iris', 1, ['a'], [row(1)], [prediction]);
    await vi.waitFor(() => expect(batches.length).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 1,
    });
    expect(batches[0]?.ids).toEqual(['a']);
  });

  it('hands a version over at once when it reaches LOG_FLUSH_ROWS rows', () => {
    const { batches, buffer } = recorder();
    const n = LOG_FLUSH_ROWS;
    const ids = Array.from({ length: n }, (_, i) => `id-${i}`);
    buffer.add(
      'big',
      1,
      ids,
      ids.map((_, i) => row(i)),
      ids.map(() => prediction),
    );
    expect(batches).toHaveLength(1);
    expect(batches[0]?.rows).toHaveLength(n);
    buffer.flush();
    expect(batches).toHaveLength(1);
  });

  it('hands requests that came as columns over as columns, their rows built only when read', () => {
    const { batches, buffer } = recorder();
    const columns = (x: unknown[], color: unknown[]) => ({
      rows: x.length,
      cells: new Map<string, ArrayLike<unknown>>([
        ['x', x],
        ['color', color],
      ]),
    });
    buffer.add('iris', 1, ['a', 'b'], columns([1, 2], ['red', null]), [prediction, prediction]);
    buffer.add('iris', 1, ['c'], columns([3.5], ['blue']), [prediction]);
    buffer.flush();
    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(batch?.columns?.names).toEqual(['x', 'color']);
    expect(batch?.columns?.cells.map((c) => Array.from(c))).toEqual([
      [1, 2, 3.5],
      ['red', null, 'blue'],
    ]);
    // Numbers travel as one Float64Array, as the payload log encodes them.
    expect(batch?.columns?.cells[0]).toBeInstanceOf(Float64Array);
    expect(batch?.rows).toEqual([
      { x: 1, color: 'red' },
      { x: 2, color: null },
      { x: 3.5, color: 'blue' },
    ]);
  });

  it('hands a batch mixing rows and columns over as rows, in the order answered', () => {
    const { batches, buffer } = recorder();
    buffer.add('iris', 1, ['a'], [row(1)], [prediction]);
    buffer.add('iris', 1, ['b'], { rows: 1, cells: new Map([['x', [2]]]) }, [prediction]);
    buffer.flush();
    expect(batches[0]?.columns).toBeNull();
    expect(batches[0]?.rows).toEqual([row(1), row(2)]);
    expect(batches[0]?.ids).toEqual(['a', 'b']);
  });
});
