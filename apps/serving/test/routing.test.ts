import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { predictResponseSchema, shadowRecordSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { parseRoutes, pickAlias } from '../src/routing/routes-config';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix, tfError } from './support/app';
import { BundleFactory, publish, publishCorrupt } from './support/bundle';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();
const source = new MemoryModelSource();

function predict(url: string, key?: string) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-request-key': key } : {}) },
    payload: JSON.stringify({ instances: [{ x: 1, y: 1, color: 'red' }] }),
  });
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  publish(source, 'iris', 1, await factory.next(10));
  publish(source, 'iris', 2, await factory.next(10));
  publish(source, 'iris', 3, await factory.next(10));
  publishCorrupt(source, 'iris', 4, await factory.next(5));
  publish(source, 'iris', 5, await factory.next(5));
  source.setAlias('iris', 'champion', 1);
  source.setAlias('iris', 'challenger', 2);
  // Explicitly addressed versions are served only when an alias points at them; 5 has none.
  source.setAlias('iris', 'candidate', 3);
  source.setAlias('iris', 'broken', 4);
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'iris',
    SERVING_MAX_EXTRA_VERSIONS: '1',
    SERVING_ROUTES: 'iris=champion:50,challenger:50;shadow=v3',
  });
  await eventually(() => app.serving.models.get('iris')?.loaded ?? undefined, 'iris v1 loaded');
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('SERVING_ROUTES', () => {
  it('parses splits and shadows, and refuses malformed ones', () => {
    const ok = parseRoutes('iris=champion:90,challenger:10;shadow=challenger;wine.shadow=v7');
    expect(ok.ok && ok.routes.get('iris')).toEqual({
      splits: [
        { alias: 'champion', weight: 90 },
        { alias: 'challenger', weight: 10 },
      ],
      totalWeight: 100,
      shadow: { alias: 'challenger' },
    });
    expect(ok.ok && ok.routes.get('wine')?.shadow).toEqual({ version: 7 });
    for (const bad of [
      'iris',
      'iris=champion:-1',
      'shadow=x',
      'iris=champion:0',
      'Bad Name=a:1',
      'iris=a:1;shadow=Bad Alias',
    ]) {
      expect(parseRoutes(bad).ok, bad).toBe(false);
    }
  });

  it('picks by weight, and the same key always lands on the same alias', () => {
    const parsed = parseRoutes('iris=champion:90,challenger:10');
    if (!parsed.ok) throw new Error(parsed.message);
    const route = parsed.routes.get('iris')!;
    for (let i = 0; i < 50; i++)
      expect(pickAlias(route, `user-${i}`)).toBe(pickAlias(route, `user-${i}`));
    const counts = { champion: 0, challenger: 0 };
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2_000; i++)
      counts[pickAlias(route, undefined, random) as keyof typeof counts]++;
    expect(counts.champion).toBeGreaterThan(counts.challenger * 4);
  });
});

describe('explicit versions and aliases', () => {
  it('serves a version and another alias on demand', async () => {
    const v2 = await predict('/v1/models/iris/versions/2:predict?format=platform');
    expect(v2.statusCode).toBe(200);
    expect(predictResponseSchema.parse(v2.json()).model).toEqual({
      name: 'iris',
      version: 2,
      alias: null,
    });
    const challenger = await predict('/v1/models/iris/labels/challenger:predict?format=platform');
    expect(predictResponseSchema.parse(challenger.json()).model).toEqual({
      name: 'iris',
      version: 2,
      alias: 'challenger',
    });
    // The followed alias named explicitly takes the slot's version, outside the canary split.
    const champion = await predict('/v1/models/iris/labels/champion:predict?format=platform');
    expect(predictResponseSchema.parse(champion.json()).model).toEqual({
      name: 'iris',
      version: 1,
      alias: 'champion',
    });
  });

  it('answers 404 for a version that does not exist and refuses a corrupt one', async () => {
    expect((await predict('/v1/models/iris/versions/9:predict?format=platform')).statusCode).toBe(
      404,
    );
    const corrupt = await predict('/v1/models/iris/versions/4:predict?format=platform');
    expect(corrupt.statusCode).toBeGreaterThanOrEqual(400);
    expect(corrupt.statusCode).toBeLessThan(500);
    expect(tfError(corrupt).message).toMatch(/sha256|checksum|corrupt|match/i);
    // The followed version is untouched.
    expect(
      predictResponseSchema.parse((await predict('/v1/models/iris:predict?format=platform')).json())
        .model.version,
    ).toBeGreaterThan(0);
  });

  it('answers 404 for a version no alias points at, naming how to serve it', async () => {
    const res = await predict('/v1/models/iris/versions/5:predict?format=platform');
    expect(res.statusCode).toBe(404);
    expect(tfError(res).message).toMatch(/no alias points at it.*SERVING_ALLOW_UNPROMOTED/);
    const metadata = await app.inject({
      method: 'GET',
      url: '/v1/models/iris/versions/5/metadata',
    });
    expect(metadata.statusCode).toBe(404);
  });

  it('keeps at most SERVING_MAX_EXTRA_VERSIONS extra versions loaded (LRU)', async () => {
    expect((await predict('/v1/models/iris/versions/3:predict?format=platform')).statusCode).toBe(
      200,
    );
    expect((await predict('/v1/models/iris/versions/2:predict?format=platform')).statusCode).toBe(
      200,
    );
    await eventually(
      () => (app.serving.models.cache.loadedVersions().length <= 1 ? true : undefined),
      'eviction',
    );
    expect(app.serving.models.cache.loadedVersions()).toEqual([{ model: 'iris', version: 2 }]);
  });
});

describe('canary and shadow', () => {
  it('splits plain requests between the aliases, sticky by x-request-key', async () => {
    const versions = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const res = await predict('/v1/models/iris:predict?format=platform', `user-${i}`);
      expect(res.statusCode).toBe(200);
      versions.add(predictResponseSchema.parse(res.json()).model.version);
    }
    expect([...versions].sort()).toEqual([1, 2]);
    const first = predictResponseSchema.parse(
      (await predict('/v1/models/iris:predict?format=platform', 'user-7')).json(),
    ).model;
    for (let i = 0; i < 5; i++) {
      expect(
        predictResponseSchema.parse(
          (await predict('/v1/models/iris:predict?format=platform', 'user-7')).json(),
        ).model,
      ).toEqual(first);
    }
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/serving_canary_requests_total\{model="iris",alias="challenger"\} \d+/);
  });

  it('mirrors traffic to the shadow version and records both outputs', async () => {
    const records = await eventually(async () => {
      await predict('/v1/models/iris:predict?format=platform', 'user-1');
      const body = (await app.inject('/v1/shadow/iris')).json<{ comparisons: unknown[] }>();
      return body.comparisons.length > 0 ? body.comparisons : undefined;
    }, 'a shadow comparison');
    const rec = shadowRecordSchema.parse(records[0]);
    expect(rec.shadow.version).toBe(3);
    expect([1, 2]).toContain(rec.primary.version);
    expect(rec.rows).toBe(1);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(
      /serving_shadow_rows_total\{model="iris",primary_version="\d",shadow_version="3",agree="(true|false)"\} \d+/,
    );
  });
});
