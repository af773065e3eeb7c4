import { describe, expect, it } from 'vitest';
import { driftPolicySchema, type PredictionLogEntry } from '@mlops/contracts';
import { staticProfileSource } from '../src/profiles';
import { liveSampleSchema, sampleWindow } from '../src/trpc/live';
import { WindowStore } from '../src/windows';
import { useMonitorApp } from './monitor-app';
import { columns, featureRows, referenceProfile } from './fixtures';

const monitor = useMonitorApp({
  profiles: staticProfileSource({
    'shop@1': {
      columns,
      profile: referenceProfile(),
      task: 'classification',
      heldout: { accuracy: 0.9 },
    },
  }),
  policy: driftPolicySchema.parse({ minRows: 10 }),
});
const { redis, keys, trpc } = monitor;

describe('liveSample (tRPC)', () => {
  it('answers the latest logged feature values column by column', async () => {
    const rows = featureRows(30, 7);
    const pipeline = redis.pipeline();
    rows.forEach((features, i) => {
      const entry: PredictionLogEntry = {
        id: `p${i}`,
        model: 'shop',
        version: 1,
        at: new Date().toISOString(),
        features: i === 0 ? { ...features, color: '[REDACTED]' } : features,
        prediction: { label: 'a', probabilities: { a: 1 } },
      };
      pipeline.xadd(keys.predictions('shop'), '*', 'entry', JSON.stringify(entry));
    });
    await pipeline.exec();
    let sample = liveSampleSchema.parse({
      model: 'shop',
      version: 1,
      rows: 0,
      from: null,
      to: null,
      columns: {},
    });
    for (let i = 0; i < 200 && sample.rows < 30; i++) {
      const { body } = await trpc('liveSample', { model: 'shop', rows: 1000 });
      if (body.result) sample = liveSampleSchema.parse(body.result.data);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sample.rows).toBe(30);
    expect(sample.version).toBe(1);
    expect(sample.columns.x).toEqual(rows.map((r) => r.x));
    // Redacted values are missing, as drift treats them.
    expect(sample.columns.color?.[0]).toBeNull();
    expect(sample.columns.color?.[1]).toBe(rows[1]!.color);
    const last10 = liveSampleSchema.parse(
      (await trpc('liveSample', { model: 'shop', rows: 10 })).body.result?.data,
    );
    expect(last10.columns.x).toEqual(rows.slice(-10).map((r) => r.x));
  });

  it('answers NOT_FOUND for a model without traffic and BAD_REQUEST for bad input', async () => {
    const none = await trpc('liveSample', { model: 'nobody' });
    expect(none.status).toBe(404);
    expect(none.body.error?.data?.appCode).toBe('NOT_FOUND');
    const bad = await trpc('liveSample', { model: 'shop', rows: 10_000_000 });
    expect(bad.status).toBe(400);
  });
});

describe('sampleWindow', () => {
  it('fills a feature missing from some rows with null so columns stay aligned', () => {
    const store = new WindowStore(10);
    const at = new Date().toISOString();
    const prediction = { label: 'a', probabilities: { a: 1 } };
    store.append('m', [
      { streamId: '1-0', at, id: 'a', version: 2, features: { x: 1 }, prediction },
      { streamId: '2-0', at, id: 'b', version: 2, features: { x: 2, z: 'q' }, prediction },
      { streamId: '3-0', at, id: 'c', version: 2, features: { x: 3 }, prediction },
    ]);
    const s = sampleWindow(store, { model: 'm' });
    expect(s.version).toBe(2);
    expect(s.columns).toEqual({ x: [1, 2, 3], z: [null, 'q', null] });
  });
});
