import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { parsePredictionLogMessage, predictResponseSchema, redisKeys } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import type { LogSink } from '../src/inference/log-buffer';
import { MemoryModelSource } from '../src/models/memory-source';
import type { ServedBatch } from '../src/payload-log';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { BundleFactory, publish } from './support/bundle';

/**
 * `AppDeps.wrapLogSink`, the hook the serving benchmark switches the payload log with: the
 * wrapper sees every answered batch, and what it passes on is what reaches Redis.
 */
const prefix = testPrefix();
const keys = redisKeys(prefix);
const factory = new BundleFactory();
let redis: Redis;
let app: ServingApp;
const seen: ServedBatch[] = [];
/** The wrapper passes batches on to the payload log only while this is true. */
let passOn = true;

function predict(instances: unknown[]) {
  return app.inject({
    method: 'POST',
    url: '/v1/models/iris:predict?format=platform',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ instances }),
  });
}

async function loggedIds(): Promise<string[]> {
  const stream = await redis.xrangeBuffer(keys.predictions('iris'), '-', '+');
  return stream.flatMap(([, fields]) => parsePredictionLogMessage(fields) ?? []).map((e) => e.id);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  const source = new MemoryModelSource();
  publish(source, 'iris', 1, await factory.next(10));
  source.setAlias('iris', 'champion', 1);
  const wrapLogSink = (sink: LogSink): LogSink => ({
    record(batch) {
      seen.push(batch);
      if (passOn) sink.record(batch);
    },
  });
  app = await startApp(
    source,
    { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: 'iris', SERVING_LOG_SAMPLE_RATE: '1' },
    { wrapLogSink },
  );
  await eventually(() => app.serving.models.get('iris')?.loaded ?? undefined, 'iris loaded');
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('wrapLogSink', () => {
  it('hands the wrapper every answered row, and the payload log what it passes on', async () => {
    const res = await predict([
      { x: 1, y: 2, color: 'red' },
      { x: -1, y: 0.5, color: 'blue' },
    ]);
    expect(res.statusCode).toBe(200);
    const ids = predictResponseSchema.parse(res.json()).predictionIds;
    const batch = await eventually(
      () => seen.find((b) => b.ids.includes(ids[0]!)),
      'the wrapper to see the batch',
    );
    expect(batch).toMatchObject({ model: 'iris', version: 1 });
    expect(batch.rows).toContainEqual({ x: -1, y: 0.5, color: 'blue' });
    expect(
      await eventually(
        async () => ((await loggedIds()).length === 2 ? true : undefined),
        'the log',
      ),
    ).toBe(true);
    expect(await loggedIds()).toEqual(ids);
  });

  it('logs nothing that the wrapper holds back', async () => {
    passOn = false;
    const held = await predict([{ x: 0, y: 0, color: 'blue' }]);
    const [heldId] = predictResponseSchema.parse(held.json()).predictionIds;
    await eventually(() => seen.find((b) => b.ids.includes(heldId!)), 'the wrapper to see it');
    // A row passed on after it: the log writes in order on one connection, so once this one is
    // in the stream, the held-back row would be too had it been written.
    passOn = true;
    const after = await predict([{ x: 2, y: 1, color: 'red' }]);
    const [afterId] = predictResponseSchema.parse(after.json()).predictionIds;
    const logged = await eventually(async () => {
      const ids = await loggedIds();
      return ids.includes(afterId!) ? ids : undefined;
    }, 'the later row in the log');
    expect(logged).not.toContain(heldId);
    expect(logged).toHaveLength(3);
  });
});
