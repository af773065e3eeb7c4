import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { predictResponseSchema } from '@mlops/contracts';
import { MemoryModelSource } from '../src/models/memory-source';
import { deleteKeys, eventually, REDIS_URL, startApp, testPrefix } from './support/app';
import { BundleFactory, publish } from './support/bundle';

const prefix = testPrefix();
const factory = new BundleFactory();

afterAll(async () => {
  factory.dispose();
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('graceful shutdown', () => {
  it('answers the requests already in flight, then frees the model and closes Redis', async () => {
    const source = new MemoryModelSource();
    publish(source, 'iris', 1, await factory.next(2));
    source.setAlias('iris', 'champion', 1);
    // A long batching window keeps requests queued in the batcher when close() starts.
    const app = await startApp(source, {
      MLOPS_REDIS_PREFIX: prefix,
      SERVING_MODELS: 'iris',
      SERVING_MAX_LATENCY_MS: '200',
    });
    const loaded = await eventually(
      () => app.serving.models.get('iris')?.loaded ?? undefined,
      'load',
    );

    const inFlight = Array.from({ length: 10 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: '/v1/models/iris:predict?format=platform',
        payload: { instances: [{ x: i, y: 1, color: 'red' }] },
      }),
    );
    await eventually(() => (loaded.batcher.pendingRows === 10 ? true : undefined), 'queued');
    await app.close();

    const responses = await Promise.all(inFlight);
    for (const res of responses) {
      expect(res.statusCode).toBe(200);
      expect(predictResponseSchema.parse(res.json()).model.version).toBe(1);
    }
    await loaded.retire(); // resolves once disposed
    expect(loaded.references).toBe(0);
    expect(app.serving.models.get('iris')?.loaded).toBeNull();
  });
});
