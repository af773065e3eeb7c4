import { beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { predictResponseSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { loadServingEnv } from '../src/env';
import type { LoadedModel } from '../src/models/slot';
import { eventually, REDIS_URL, tearDownAllAfter } from './support/app';
import { BundleFactory, publish } from './support/bundle';
import { CountingSource } from './support/counting-source';
import { aliasMoved, followIris, slotOf } from './support/follow-iris';

const redis = new Redis(REDIS_URL);
const { prefixes, apps, emit, started, move } = followIris(redis);
const factory = new BundleFactory();

function predict(app: ServingApp) {
  return app.inject({
    method: 'POST',
    url: '/v1/models/iris:predict?format=platform',
    payload: { instances: [{ x: 1, y: 1, color: 'red' }] },
  });
}

tearDownAllAfter({ apps, factory, redis, prefixes });

describe('keeping the replaced version as the standby', () => {
  const source = new CountingSource();
  let app: ServingApp;
  let prefix: string;
  let v1: LoadedModel | null;

  beforeAll(async () => {
    publish(source, 'iris', 1, await factory.next(5));
    publish(source, 'iris', 2, await factory.next(5));
    source.setAlias('iris', 'champion', 1);
    ({ app, prefix } = await started(source));
    v1 = slotOf(app).loaded;
  });

  it('keeps the previous version loaded, not handed to requests, after a move', async () => {
    await move(app, source, prefix, 1, 2);
    const slot = slotOf(app);
    expect(slot.standby).toBe(v1);
    expect(v1?.isRetired).toBe(false);
    const res = await predict(app);
    expect(predictResponseSchema.parse(res.json()).model.version).toBe(2);
  });

  it('swaps a move back to the standby in without downloading, under load', async () => {
    const v2 = slotOf(app).loaded;
    const downloads = source.downloads;
    let stop = false;
    const failures: string[] = [];
    const seen = new Set<number>();
    const worker = async () => {
      while (!stop) {
        const res = await predict(app);
        if (res.statusCode !== 200) failures.push(`${res.statusCode} ${res.body}`);
        else seen.add(predictResponseSchema.parse(res.json()).model.version);
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    await eventually(() => (seen.has(2) ? true : undefined), 'traffic on v2');
    await move(app, source, prefix, 2, 1);
    await eventually(() => (seen.has(1) ? true : undefined), 'answers from v1');
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(source.downloads).toBe(downloads);
    // The very same warm instance is back, and the one it replaced is the standby now.
    expect(slotOf(app).loaded).toBe(v1);
    expect(slotOf(app).standby).toBe(v2);
  });

  it('swaps before asking the registry, and corrects an event the registry contradicts', async () => {
    // The registry has v1 and answers slowly; a late or out-of-order event says v2 (the standby).
    source.hold();
    await emit(prefix, aliasMoved(1, 2));
    await eventually(() => (slotOf(app).loaded?.version === 2 ? true : undefined), 'v2 swapped');
    source.release();
    await eventually(() => (slotOf(app).loaded?.version === 1 ? true : undefined), 'v1 back');
    await slotOf(app).idle();
    expect(slotOf(app).loaded).toBe(v1);
    const res = await predict(app);
    expect(predictResponseSchema.parse(res.json()).model.version).toBe(1);
  });

  it('swaps a warm version in while an earlier resolve is pending, without swapping back', async () => {
    const slot = slotOf(app);
    const swapped: number[] = [];
    const swap = slot.swap.bind(slot);
    slot.swap = (next) => {
      swapped.push(next.version);
      return swap(next);
    };
    try {
      // The registry answers v2 to the first event's pass, but only after the move back.
      source.hold();
      source.setAlias('iris', 'champion', 2);
      await emit(prefix, aliasMoved(1, 2));
      await eventually(() => (slot.loaded?.version === 2 ? true : undefined), 'v2 swapped');
      source.setAlias('iris', 'champion', 1);
      await emit(prefix, aliasMoved(2, 1));
      await eventually(() => (slot.loaded?.version === 1 ? true : undefined), 'v1 while held');
      source.release();
      await slot.idle();
      expect(slot.loaded).toBe(v1);
      expect(swapped).toEqual([2, 1]);
    } finally {
      slot.swap = swap;
    }
  });

  it('retires the standby when a third version replaces the serving one', async () => {
    publish(source, 'iris', 3, await factory.next(2));
    const oldStandby = slotOf(app).standby;
    expect(oldStandby?.version).toBe(2);
    await move(app, source, prefix, 1, 3);
    expect(slotOf(app).standby).toBe(v1);
    expect(oldStandby?.isRetired).toBe(true);
    expect(oldStandby?.references).toBe(0);
  });

  it('retires the standby with the serving version when the alias is deleted', async () => {
    const serving = slotOf(app).loaded;
    source.setAlias('iris', 'champion', null);
    await emit(prefix, aliasMoved(3, null));
    await eventually(() => (slotOf(app).loaded ? undefined : true), 'unloaded');
    expect(slotOf(app).standby).toBeNull();
    expect(v1?.isRetired).toBe(true);
    expect(serving?.isRetired).toBe(true);
  });
});

describe('the standby time', () => {
  it('retires the standby once SERVING_STANDBY_MS passed', async () => {
    const source = new CountingSource();
    publish(source, 'iris', 1, await factory.next(2));
    publish(source, 'iris', 2, await factory.next(2));
    source.setAlias('iris', 'champion', 1);
    const { app, prefix } = await started(source, { SERVING_STANDBY_MS: '200' });
    const v1 = slotOf(app).loaded;
    await move(app, source, prefix, 1, 2);
    await eventually(() => (v1?.isRetired ? true : undefined), 'the standby retired');
    expect(slotOf(app).standby).toBeNull();
    // A move back now loads v1 afresh.
    const downloads = source.downloads;
    await move(app, source, prefix, 2, 1);
    expect(source.downloads).toBe(downloads + 1);
    expect(slotOf(app).loaded).not.toBe(v1);
  });

  it('keeps no standby with SERVING_STANDBY_MS=0', async () => {
    const source = new CountingSource();
    publish(source, 'iris', 1, await factory.next(2));
    publish(source, 'iris', 2, await factory.next(2));
    source.setAlias('iris', 'champion', 1);
    const { app, prefix } = await started(source, { SERVING_STANDBY_MS: '0' });
    const v1 = slotOf(app).loaded;
    await move(app, source, prefix, 1, 2);
    expect(slotOf(app).standby).toBeNull();
    expect(v1?.isRetired).toBe(true);
  });

  it('refuses a negative or fractional SERVING_STANDBY_MS', () => {
    expect(() => loadServingEnv({ SERVING_STANDBY_MS: '-1' })).toThrow(/SERVING_STANDBY_MS/);
    expect(() => loadServingEnv({ SERVING_STANDBY_MS: '1.5' })).toThrow(/SERVING_STANDBY_MS/);
    expect(() => loadServingEnv({ SERVING_STANDBY_MS: 'soon' })).toThrow(/SERVING_STANDBY_MS/);
    expect(loadServingEnv({}).SERVING_STANDBY_MS).toBe(300_000);
  });
});
