import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisKeys, type PlatformEvent } from '@mlops/contracts';
import { REDIS_URL, startTestRegistry, trpc, type TestRegistry } from './helpers';

let r: TestRegistry;
beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(async () => {
  await r.close();
});

const recent = async () =>
  (await trpc(r.app, 'query', 'events.recent', { limit: 500 }, r.auth)).data as PlatformEvent[];

describe('events heard on the channel', () => {
  it("stores other services' events once, ignores garbage, and keeps its own once", async () => {
    const pub = new Redis(REDIS_URL);
    const channel = redisKeys(r.prefix).events;
    const drift: PlatformEvent = {
      id: randomUUID(),
      at: new Date().toISOString(),
      type: 'drift.detected',
      model: 'iris',
      version: 1,
      driftedColumns: ['petal_length'],
      share: 0.75,
    };
    try {
      // The subscription is set up in the background at start: publish until it is heard,
      // then once more (two monitor replicas, or a retry). Every copy has the same id.
      await vi.waitFor(
        async () => {
          await pub.publish(channel, JSON.stringify(drift));
          expect((await recent()).map((e) => e.id)).toContain(drift.id);
        },
        { timeout: 10_000, interval: 25 },
      );
      await pub.publish(channel, JSON.stringify(drift));
      await pub.publish(channel, 'not json');
      await pub.publish(channel, JSON.stringify({ type: 'drift.detected', id: 'x' }));
      await new Promise((res) => setTimeout(res, 200));
    } finally {
      pub.disconnect();
    }
    const events = await recent();
    expect(events.filter((e) => e.id === drift.id)).toEqual([drift]);
    expect(events.filter((e) => e.id === 'x')).toEqual([]);

    // The registry's own events come back on the channel too: still stored once.
    const upload = await r.app.inject({
      method: 'POST',
      url: '/api/datasets/tiny?format=csv',
      headers: { ...r.auth, 'content-type': 'text/csv' },
      payload: 'a,b\n1,2\n3,4\n',
    });
    expect(upload.statusCode).toBe(201);
    await new Promise((res) => setTimeout(res, 200));
    const created = (await recent()).filter((e) => e.type === 'dataset.created');
    expect(created).toHaveLength(1);
  });
});
