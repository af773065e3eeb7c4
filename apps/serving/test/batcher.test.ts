import { describe, expect, it } from 'vitest';
import { isAppError } from '@mlops/contracts';
import { Batcher, type BatchStats } from '../src/batching/batcher';

/** A batcher whose run doubles numbers and records every batch it was given. */
function doubling(opts: { maxBatchRows: number; maxLatencyMs?: number; maxQueueRows?: number }) {
  const batches: number[][] = [];
  const stats: BatchStats[] = [];
  const batcher = new Batcher<number, number>({
    maxBatchRows: opts.maxBatchRows,
    maxLatencyMs: opts.maxLatencyMs ?? 5,
    maxQueueRows: opts.maxQueueRows ?? 1_000,
    run: (items) => {
      batches.push([...items]);
      return items.map((x) => x * 2);
    },
    onBatch: (s) => stats.push(s),
  });
  return { batcher, batches, stats };
}

describe('Batcher', () => {
  it('merges concurrent requests into one run and gives each its own outputs', async () => {
    const { batcher, batches, stats } = doubling({ maxBatchRows: 100 });
    const results = await Promise.all([
      batcher.submit([1, 2]),
      batcher.submit([3]),
      batcher.submit([4, 5, 6]),
    ]);
    expect(results).toEqual([[2, 4], [6], [8, 10, 12]]);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ rows: 6, requests: 3, ok: true });
    expect(stats[0]!.queueMs).toHaveLength(3);
  });

  it('with maxLatencyMs 0 takes what one I/O turn queued, and what arrives during a run makes the next batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new Batcher<number, number>({
      maxBatchRows: 100,
      maxLatencyMs: 0,
      maxQueueRows: 1_000,
      run: (items) => {
        batches.push([...items]);
        // The first batch is held open: later requests queue behind it.
        return batches.length === 1
          ? new Promise((resolve) => (release = () => resolve(items)))
          : items;
      },
    });
    const first = [batcher.submit([1]), batcher.submit([2])]; // same turn: one batch
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2]]);
    const later = [batcher.submit([3]), batcher.submit([4, 5])]; // while the first runs
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toHaveLength(1); // nothing runs beside a running batch
    release();
    await expect(Promise.all([...first, ...later])).resolves.toEqual([[1], [2], [3], [4, 5]]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('never puts more than maxBatchRows rows in a batch and keeps request order', async () => {
    const { batcher, batches } = doubling({ maxBatchRows: 4 });
    const results = await Promise.all([
      batcher.submit([1, 2]),
      batcher.submit([3, 4]),
      batcher.submit([5, 6]),
      batcher.submit([7]),
    ]);
    expect(results).toEqual([[2, 4], [6, 8], [10, 12], [14]]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
    ]);
  });

  it('runs a request larger than maxBatchRows as a batch of its own', async () => {
    const { batcher, batches } = doubling({ maxBatchRows: 2 });
    const [big, small] = await Promise.all([batcher.submit([1, 2, 3]), batcher.submit([4])]);
    expect(big).toEqual([2, 4, 6]);
    expect(small).toEqual([8]);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('serves a lone request (waits for no company that never comes)', async () => {
    const { batcher } = doubling({ maxBatchRows: 1_000, maxLatencyMs: 0 });
    await expect(batcher.submit([21])).resolves.toEqual([42]);
  });

  it('rejects with UNAVAILABLE when the queue is full, and accepts again once drained', async () => {
    const { batcher } = doubling({ maxBatchRows: 10, maxQueueRows: 3 });
    const first = batcher.submit([1, 2]);
    const rejected = batcher.submit([3, 4]);
    await expect(rejected).rejects.toSatisfy(
      (err: unknown) => isAppError(err) && err.code === 'UNAVAILABLE',
    );
    await expect(first).resolves.toEqual([2, 4]);
    // An empty queue accepts even a request larger than the bound.
    await expect(batcher.submit([1, 2, 3, 4, 5])).resolves.toEqual([2, 4, 6, 8, 10]);
  });

  it('fails every request of a batch whose run throws, and keeps working afterwards', async () => {
    let fail = true;
    const stats: BatchStats[] = [];
    const batcher = new Batcher<number, number>({
      maxBatchRows: 10,
      maxLatencyMs: 5,
      maxQueueRows: 100,
      run: (items) => {
        if (fail) throw new Error('boom');
        return items;
      },
      onBatch: (s) => stats.push(s),
    });
    const results = await Promise.allSettled([batcher.submit([1]), batcher.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(stats[0]?.ok).toBe(false);
    fail = false;
    await expect(batcher.submit([3])).resolves.toEqual([3]);
  });

  it('fails the batch when run returns the wrong number of outputs', async () => {
    const batcher = new Batcher<number, number>({
      maxBatchRows: 10,
      maxLatencyMs: 0,
      maxQueueRows: 100,
      run: () => [1],
    });
    await expect(batcher.submit([1, 2])).rejects.toThrow(/2 inputs/);
  });

  it('supports async run functions', async () => {
    const batcher = new Batcher<number, string>({
      maxBatchRows: 10,
      maxLatencyMs: 1,
      maxQueueRows: 100,
      run: async (items) => {
        await new Promise((r) => setImmediate(r));
        return items.map(String);
      },
    });
    await expect(Promise.all([batcher.submit([1]), batcher.submit([2])])).resolves.toEqual([
      ['1'],
      ['2'],
    ]);
  });

  it('close() drains queued work, then refuses new requests', async () => {
    const { batcher, batches } = doubling({ maxBatchRows: 2, maxLatencyMs: 1_000 });
    const pending = [batcher.submit([1]), batcher.submit([2]), batcher.submit([3])];
    await batcher.close();
    await expect(Promise.all(pending)).resolves.toEqual([[2], [4], [6]]);
    expect(batches.flat()).toEqual([1, 2, 3]);
    await expect(batcher.submit([4])).rejects.toSatisfy(
      (err: unknown) => isAppError(err) && err.code === 'UNAVAILABLE',
    );
  });

  it('answers an empty submit without running', async () => {
    const { batcher, batches } = doubling({ maxBatchRows: 2 });
    await expect(batcher.submit([])).resolves.toEqual([]);
    expect(batches).toEqual([]);
  });

  it('refuses with 503 + Retry-After a request still queued past its timeout', async () => {
    let clock = 0;
    let release: () => void = () => undefined;
    const batcher = new Batcher<number, number>({
      maxBatchRows: 1,
      maxLatencyMs: 0,
      maxQueueRows: 100,
      timeoutMs: 50,
      now: () => clock,
      // The first batch blocks until released, while the clock moves past the second's deadline.
      run: (items) => new Promise((resolve) => (release = () => resolve(items))),
    });
    const first = batcher.submit([1]);
    const second = batcher.submit([2]);
    await new Promise((r) => setTimeout(r, 10));
    clock = 100;
    release();
    await expect(first).resolves.toEqual([1]);
    await expect(second).rejects.toSatisfy(
      (err) => isAppError(err) && err.code === 'UNAVAILABLE' && /timeout/.test(err.message),
    );
  });
});
