import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  AppError,
  modelStatusSchema,
  predictResponseSchema,
  redisKeys,
  type PlatformEvent,
} from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import {
  eventually,
  REDIS_URL,
  startApp,
  testPrefix,
  tfError,
  tearDownAllAfter,
} from './support/app';
import { BundleFactory, publish, publishCorrupt } from './support/bundle';

const prefixes: string[] = [];
const apps: ServingApp[] = [];
const redis = new Redis(REDIS_URL);
const factory = new BundleFactory();

function aliasMoved(model: string, from: number | null, to: number | null): PlatformEvent {
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    type: 'alias.moved',
    model,
    alias: 'champion',
    from,
    to,
  };
}

async function emit(prefix: string, event: PlatformEvent): Promise<void> {
  await redis.publish(redisKeys(prefix).events, JSON.stringify(event));
}

function predict(app: ServingApp, model = 'iris') {
  return app.inject({
    method: 'POST',
    url: `/v1/models/${model}:predict?format=platform`,
    payload: { instances: [{ x: 1, y: 1, color: 'red' }] },
  });
}

async function servedVersion(app: ServingApp, model = 'iris'): Promise<number | null> {
  const res = await predict(app, model);
  return res.statusCode === 200 ? predictResponseSchema.parse(res.json()).model.version : null;
}

tearDownAllAfter({ apps, factory, redis, prefixes });

describe('following the champion alias of configured models', () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const source = new MemoryModelSource();
  let app: ServingApp;

  beforeAll(async () => {
    publish(source, 'iris', 1, await factory.next(20));
    source.setAlias('iris', 'champion', 1);
    app = await startApp(source, { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: 'iris' });
    apps.push(app);
    await eventually(
      async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined),
      'ready',
    );
  });

  it('serves over real HTTP at /v1/models/<name>:predict', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/v1/models/iris:predict?format=platform`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ x: 1, y: 1, color: 'red' }] }),
    });
    expect(res.status).toBe(200);
    expect(predictResponseSchema.parse(await res.json()).model.version).toBe(1);
  });

  it('swaps to version 2 on an alias.moved event without failing a request', async () => {
    publish(source, 'iris', 2, await factory.next(5));
    const old = app.serving.models.get('iris')?.loaded;
    expect(old?.version).toBe(1);
    const tensorsBefore = getTf().memory().numTensors;

    let stop = false;
    let sawV1 = 0;
    let sawV2 = 0;
    const failures: string[] = [];
    const versions = new Set<number>();
    const worker = async () => {
      for (let i = 0; i < 5_000 && !stop; i++) {
        const res = await predict(app);
        if (res.statusCode !== 200) {
          failures.push(`${res.statusCode} ${res.body}`);
          continue;
        }
        const version = predictResponseSchema.parse(res.json()).model.version;
        versions.add(version);
        if (version === 1) sawV1++;
        if (version === 2 && ++sawV2 >= 50) stop = true;
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    // Move the alias only once traffic is flowing, so the swap happens under load.
    await eventually(() => (sawV1 >= 40 ? true : undefined), 'traffic on v1');
    source.setAlias('iris', 'champion', 2);
    await emit(prefix, aliasMoved('iris', 1, 2));
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect([...versions].sort()).toEqual([1, 2]);
    // The old version is freed once its last request finished, and nothing else leaked.
    await old?.retire();
    expect(old?.references).toBe(0);
    expect(getTf().memory().numTensors).toBe(tensorsBefore);
  });

  it('refuses a corrupt artifact and keeps the old version serving', async () => {
    publishCorrupt(source, 'iris', 3, await factory.next(2));
    source.setAlias('iris', 'champion', 3);
    await emit(prefix, aliasMoved('iris', 2, 3));
    const err = await eventually(() => {
      const e = app.serving.models.get('iris')?.lastError;
      return e?.version === 3 ? e : undefined;
    }, 'the load of v3 to fail');
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.message).toMatch(/sha256/);
    expect(await servedVersion(app)).toBe(2);

    const status = modelStatusSchema.parse((await app.inject('/v1/models/iris')).json());
    expect(status.model_version_status).toEqual([
      { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      {
        version: '3',
        state: 'END',
        status: { error_code: 'FAILED_PRECONDITION', error_message: err.message },
      },
    ]);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/serving_model_load_failures_total\{model="iris"\} [1-9]/);
  });

  it('keeps serving while the registry is down', async () => {
    source.failWith = new AppError('UNAVAILABLE', 'registry is down');
    await app.serving.follower.reconcile();
    expect(app.serving.models.get('iris')?.lastError?.code).toBe('UNAVAILABLE');
    expect(await servedVersion(app)).toBe(2);
    source.failWith = null;
  });

  it('applies the newest of several quick moves', async () => {
    publish(source, 'iris', 4, await factory.next(2));
    publish(source, 'iris', 5, await factory.next(2));
    source.setAlias('iris', 'champion', 4);
    await emit(prefix, aliasMoved('iris', 3, 4));
    source.setAlias('iris', 'champion', 5);
    await emit(prefix, aliasMoved('iris', 4, 5));
    await eventually(
      () => (app.serving.models.get('iris')?.loaded?.version === 5 ? true : undefined),
      'v5 in service',
    );
    await app.serving.models.get('iris')?.idle();
    expect(app.serving.models.get('iris')?.loaded?.version).toBe(5);
    expect(await servedVersion(app)).toBe(5);
  });

  it('unloads when the alias is deleted and reloads when it comes back', async () => {
    source.setAlias('iris', 'champion', null);
    await emit(prefix, aliasMoved('iris', 5, null));
    await eventually(() => (app.serving.models.get('iris')?.loaded ? undefined : true), 'unload');
    const res = await predict(app);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect((await app.inject('/readyz')).statusCode).toBe(503);

    source.setAlias('iris', 'champion', 4);
    await emit(prefix, aliasMoved('iris', null, 4));
    await eventually(async () => ((await servedVersion(app)) === 4 ? true : undefined), 'v4 back');
  });

  it('ignores events for other aliases and malformed messages', async () => {
    await redis.publish(redisKeys(prefix).events, 'not json');
    await redis.publish(redisKeys(prefix).events, JSON.stringify({ type: 'alias.moved' }));
    await emit(prefix, { ...aliasMoved('iris', 4, 1), alias: 'challenger' } as PlatformEvent);
    expect(await servedVersion(app)).toBe(4);
  });
});

describe('discovering every model that has the alias', () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const source = new MemoryModelSource();
  let app: ServingApp;

  beforeAll(async () => {
    const bundle = await factory.next(2);
    publish(source, 'iris', 1, bundle);
    publish(source, 'wine', 1, bundle);
    source.setAlias('iris', 'champion', 1);
    source.setAlias('wine', 'challenger', 1);
    app = await startApp(source, { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: '' });
    apps.push(app);
    await eventually(
      async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined),
      'ready',
    );
  });

  it('serves the models that have the alias, and only those', async () => {
    expect(app.serving.models.names()).toEqual(['iris']);
    expect(await servedVersion(app)).toBe(1);
    const res = await predict(app, 'wine');
    expect(res.statusCode).toBe(404);
    expect(tfError(res).message).toContain('"iris"');
  });

  it('starts serving a model named in an alias.moved event', async () => {
    source.setAlias('wine', 'champion', 1);
    await emit(prefix, aliasMoved('wine', null, 1));
    await eventually(
      async () => ((await servedVersion(app, 'wine')) === 1 ? true : undefined),
      'wine',
    );
    expect(app.serving.models.names()).toEqual(['iris', 'wine']);
  });

  it('forgets a model whose alias was deleted', async () => {
    source.setAlias('iris', 'champion', null);
    await emit(prefix, aliasMoved('iris', 1, null));
    await eventually(
      async () => ((await predict(app)).statusCode === 404 ? true : undefined),
      'iris gone',
    );
    expect(app.serving.models.names()).toEqual(['wine']);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });
});

describe('starting while the registry is down', () => {
  const prefix = testPrefix();
  prefixes.push(prefix);

  it('retries with backoff and becomes ready without waiting for the periodic reconcile', async () => {
    const source = new MemoryModelSource();
    publish(source, 'iris', 1, await factory.next(2));
    source.setAlias('iris', 'champion', 1);
    source.failWith = new AppError('UNAVAILABLE', 'registry not reachable');
    const app = await startApp(source, { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: '' });
    apps.push(app);
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    source.failWith = null;
    await eventually(
      async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined),
      'ready',
    );
    expect(await servedVersion(app)).toBe(1);
  });
});
