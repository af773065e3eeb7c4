import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedHistogram } from '../src/tallied-histogram';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same observations into prom-client's Histogram and ours, each in its own registry. */
function both() {
  const config = {
    name: 'test_seconds',
    help: 'test',
    labelNames: ['model', 'version'] as const,
    buckets: BUCKETS,
  };
  const theirsRegistry = new Registry();
  const oursRegistry = new Registry();
  const theirs = new Histogram({ ...config, registers: [theirsRegistry] });
  const ours = new TalliedHistogram({ ...config, registers: [oursRegistry] });
  const observe = (labels: { model: string; version: string }, value: number) => {
    theirs.labels(labels).observe(value);
    ours.labels(labels).observe(value);
  };
  return { theirs, ours, theirsRegistry, oursRegistry, observe };
}

/** prom-client's values without their empty exemplar slots. */
function plain(values: Array<Record<string, unknown>>) {
  return values.map(({ exemplar: _exemplar, ...v }) => v);
}

describe('TalliedHistogram', () => {
  it("gives what prom-client's Histogram gives for the same observations", async () => {
    const { theirs, ours, theirsRegistry, oursRegistry, observe } = both();
    const iris1 = { model: 'iris', version: '1' };
    const iris2 = { model: 'iris', version: '2' };
    // On a bound, between bounds, below the first, above the last.
    for (const v of [0.001, 0.0005, 0.05, 0.01, 2, 0.1, 0.3, 1, 0]) observe(iris1, v);
    observe(iris2, 0.02);
    expect((await ours.get()).values).toEqual(plain((await theirs.get()).values));
    expect(await oursRegistry.metrics()).toBe(await theirsRegistry.metrics());
  });

  it('keeps counting through a cell handed out before a reset', async () => {
    const { ours } = both();
    const cell = ours.labels({ model: 'iris', version: '1' });
    cell.observe(0.005);
    ours.reset();
    cell.observe(0.05);
    const count = (await ours.get()).values.find((v) => v.metricName === 'test_seconds_count');
    expect(count?.value).toBe(1);
  });

  it('refuses a label set that does not name exactly its labels', () => {
    const { ours } = both();
    expect(() => ours.labels({ model: 'iris' })).toThrow(/takes the labels model, version/);
  });
});
