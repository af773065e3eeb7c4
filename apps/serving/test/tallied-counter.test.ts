import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedCounter } from '../src/tallied-counter';

function counter() {
  const registry = new Registry();
  const c = new TalliedCounter({
    name: 'test_requests_total',
    help: 'test',
    labelNames: ['model', 'status'] as const,
    registers: [registry],
  });
  return { registry, c };
}

describe('TalliedCounter', () => {
  it('shows what a cell counted on every read, and keeps it once the cell is released', async () => {
    const { registry, c } = counter();
    const cell = c.cell({ model: 'iris', status: '200' });
    cell.inc();
    cell.inc(4);
    c.inc({ model: 'iris', status: '200' });
    expect(await registry.metrics()).toContain('test_requests_total{model="iris",status="200"} 6');
    cell.inc(2);
    cell.release();
    // Counts after the release are not counted, and a second release adds nothing.
    cell.inc(100);
    cell.release();
    expect(await registry.metrics()).toContain('test_requests_total{model="iris",status="200"} 8');
  });

  it('shows tallied counts, with ordinary increments, on every read', async () => {
    const { registry, c } = counter();
    let labelCalls = 0;
    const tally = (model: string, status: string) =>
      c.tally(`${model} ${status}`, () => {
        labelCalls++;
        return { model, status };
      });
    tally('iris', '200');
    tally('iris', '200');
    tally('iris', '400');
    c.inc({ model: 'iris', status: '200' });
    expect(labelCalls).toBe(2);
    const values = (await c.get()).values.map((v) => [v.labels, v.value]);
    expect(values).toEqual([
      [{ model: 'iris', status: '200' }, 3],
      [{ model: 'iris', status: '400' }, 1],
    ]);
    // Read again with nothing new: nothing is added twice.
    tally('iris', '200');
    const text = await registry.metrics();
    expect(text).toContain('test_requests_total{model="iris",status="200"} 4');
    expect(text).toContain('test_requests_total{model="iris",status="400"} 1');
  });

  it('takes a label set as it is, for a hot path that keeps its key and labels', async () => {
    const { c } = counter();
    const labels = { model: 'iris', status: '200' };
    c.tally('iris 200', labels);
    c.tally('iris 200', labels);
    expect((await c.get()).values.map((v) => [v.labels, v.value])).toEqual([[labels, 2]]);
  });
});
