import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AppError, predictResponseSchema, type PlatformEvent } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { loadServingEnv } from '../src/env';
import { eventually, REDIS_URL, tearDownAllAfter } from './support/app';
import { BundleFactory, publish, publishCorrupt } from './support/bundle';
import { CountingSource } from './support/counting-source';
import { aliasMoved, followIris, slotOf } from './support/follow-iris';

const redis = new Redis(REDIS_URL);
const { prefixes, apps, emit, started, move } = followIris(redis);
const factory = new BundleFactory();

function created(version: number, model = 'iris'): PlatformEvent {
  const at = new Date().toISOString();
  return { id: randomUUID(), at, type: 'version.created', model, version, runId: null };
}

async function servedVersion(app: ServingApp): Promise<number> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/models/iris:predict?format=platform',
    payload: { instances: [{ x: 1, y: 1, color: 'red' }] },
  });
  expect(res.statusCode).toBe(200);
  return predictResponseSchema.parse(res.json()).model.version;
}

/** `serving_preloads_total` for iris and `outcome`, 0 when never counted. */
async function preloads(app: ServingApp, outcome: string): Promise<number> {
  const text = (await app.inject('/metrics')).body;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`serving_preloads_total{model="iris",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The iris versions `serving_loaded_versions` reports loaded, ascending. */
async function loadedVersions(app: ServingApp): Promise<number[]> {
  const text = (await app.inject('/metrics')).body;
  return text
    .split('\n')
    .filter((l) => l.startsWith('serving_loaded_versions{model="iris"') && l.endsWith(' 1'))
    .map((l) => Number(/version="(\d+)"/.exec(l)?.[1]))
    .sort((a, b) => a - b);
}

/** Iris versions 1 to `versions` registered, champion on 1 (a newer one is preloaded at start). */
async function irisSource(versions = 1): Promise<CountingSource> {
  const source = new CountingSource();
  await register(source, versions);
  source.setAlias('iris', 'champion', 1);
  return source;
}

/** Register iris versions up to `upTo` that `source` does not have yet (no event announced). */
async function register(source: CountingSource, upTo: number): Promise<void> {
  const from = ((await source.newestVersion('iris')) ?? 0) + 1;
  for (let v = from; v <= upTo; v++) publish(source, 'iris', v, await factory.next(2));
}

/** Record the version.created events the server took in, to wait for one without a timer. */
function seenCreated(app: ServingApp): number[] {
  const seen: number[] = [];
  const models = app.serving.models;
  const versionCreated = models.versionCreated.bind(models);
  models.versionCreated = (model, version) => {
    seen.push(version);
    versionCreated(model, version);
  };
  return seen;
}

/**
 * Serving v1 with versions up to `upTo` registered, and v2's preload started and held in its
 * download (`source.fetches`) until the test releases it.
 */
async function preloadingV2(upTo: number) {
  const source = await irisSource();
  const { app, prefix } = await started(source);
  await register(source, upTo);
  const seen = seenCreated(app);
  source.fetches.hold();
  await emit(prefix, created(2));
  await eventually(() => (source.downloads === 2 ? true : undefined), 'v2 downloading');
  return { source, app, prefix, seen };
}

tearDownAllAfter({ apps, factory, redis, prefixes });

describe('preloading a registered version', () => {
  let source: CountingSource;
  let app: ServingApp;
  let prefix: string;

  beforeAll(async () => {
    source = await irisSource();
    ({ app, prefix } = await started(source));
    await register(source, 2);
  });

  it('loads it as the candidate on version.created and keeps serving the alias', async () => {
    await emit(prefix, created(2));
    const candidate = await eventually(() => slotOf(app).candidate ?? undefined, 'candidate');
    expect(candidate.version).toBe(2);
    expect(candidate.isRetired).toBe(false);
    expect(await servedVersion(app)).toBe(1);
    expect(await preloads(app, 'loaded')).toBe(1);
    expect(await loadedVersions(app)).toEqual([1, 2]);
  });

  it('swaps the very same instance in on the move, without a download', async () => {
    const candidate = slotOf(app).candidate;
    const v1 = slotOf(app).loaded;
    const downloads = source.downloads;
    await move(app, source, prefix, 1, 2);
    expect(source.downloads).toBe(downloads);
    expect(slotOf(app).loaded).toBe(candidate);
    expect(slotOf(app).candidate).toBeNull();
    // The replaced version is the standby, as after any move.
    expect(slotOf(app).standby).toBe(v1);
    expect(await servedVersion(app)).toBe(2);
  });

  it('does not load a version that is serving or warm again', async () => {
    const reads = source.versionReads;
    await emit(prefix, created(2)); // serving
    await emit(prefix, created(1)); // the standby
    // A later event that does reach the preloader shows the two were handled (pub/sub is ordered).
    publish(source, 'iris', 3, await factory.next(2));
    await emit(prefix, created(3));
    await eventually(() => (slotOf(app).candidate?.version === 3 ? true : undefined), 'v3');
    expect(source.versionReads).toBe(reads + 1);
  });

  it('retires the candidate with everything else when the alias is deleted', async () => {
    const candidate = slotOf(app).candidate;
    source.setAlias('iris', 'champion', null);
    await emit(prefix, aliasMoved(2, null));
    await eventually(() => (slotOf(app).loaded ? undefined : true), 'unloaded');
    expect(slotOf(app).candidate).toBeNull();
    expect(candidate?.isRetired).toBe(true);
  });
});

describe('preloads that go wrong', () => {
  it('leaves the serving version alone when the registered version fails to load', async () => {
    const source = await irisSource();
    const { app, prefix } = await started(source);
    publishCorrupt(source, 'iris', 2, await factory.next(2));
    const v1 = slotOf(app).loaded;
    await emit(prefix, created(2));
    await eventually(
      async () => ((await preloads(app, 'failed')) === 1 ? true : undefined),
      'fail',
    );
    expect(slotOf(app).candidate).toBeNull();
    expect(slotOf(app).loaded).toBe(v1);
    expect(slotOf(app).lastError).toBeNull();
    expect(await servedVersion(app)).toBe(1);
    expect(await loadedVersions(app)).toEqual([1]);
  });

  it('ignores a version the registry does not have, another model and malformed events', async () => {
    const source = await irisSource();
    publish(source, 'wine', 1, await factory.next(2));
    const { app, prefix } = await started(source);
    await emit(prefix, created(99)); // no such version: the registry answers NOT_FOUND
    await emit(prefix, created(1, 'wine')); // not a model this server follows
    await emit(prefix, '{"type":"version.created","model":"iris","version":"2"}');
    await emit(prefix, 'not json');
    await eventually(
      async () => ((await preloads(app, 'failed')) === 1 ? true : undefined),
      'fail',
    );
    expect(source.versionReads).toBe(1);
    expect(slotOf(app).candidate).toBeNull();
    expect(app.serving.models.get('wine')).toBeUndefined();
    expect(await servedVersion(app)).toBe(1);
  });

  it('keeps only the newest of quick registrations', async () => {
    // v2's download waits while v3 and v4 are registered.
    const { source, app, prefix, seen } = await preloadingV2(4);
    await emit(prefix, created(3));
    await emit(prefix, created(4));
    await eventually(() => (seen.includes(4) ? true : undefined), 'both events in');
    source.fetches.release();
    await eventually(() => (slotOf(app).candidate?.version === 4 ? true : undefined), 'v4');
    // v2 finished loading but was superseded; v3 was never loaded; v2 is freed.
    expect(source.downloads).toBe(3);
    expect(await preloads(app, 'superseded')).toBe(1);
    await eventually(
      async () => ((await loadedVersions(app)).join() === '1,4' ? true : undefined),
      'v2 freed',
    );
  });

  it('waits for a running preload when the alias moves to it instead of loading twice', async () => {
    const { source, app, prefix } = await preloadingV2(2);
    source.setAlias('iris', 'champion', 2);
    await emit(prefix, aliasMoved(1, 2));
    source.fetches.release();
    await eventually(() => (slotOf(app).loaded?.version === 2 ? true : undefined), 'v2');
    await slotOf(app).idle();
    expect(source.downloads).toBe(2);
    expect(slotOf(app).candidate).toBeNull();
  });

  it('hands a preload superseded while a move waits for it to that move', async () => {
    const { source, app, prefix, seen } = await preloadingV2(3);
    // The move waits for v2's preload; v3 is registered before that preload ends.
    source.setAlias('iris', 'champion', 2);
    await emit(prefix, aliasMoved(1, 2));
    await emit(prefix, created(3));
    await eventually(() => (seen.includes(3) ? true : undefined), 'v3 registered');
    source.fetches.release();
    await eventually(() => (slotOf(app).candidate?.version === 3 ? true : undefined), 'v3');
    await slotOf(app).idle();
    // v2 served from its preload, v3 preloaded next: three downloads, v2 not loaded twice.
    expect(slotOf(app).loaded?.version).toBe(2);
    expect(source.downloads).toBe(3);
    expect(await preloads(app, 'superseded')).toBe(0);
    expect(await servedVersion(app)).toBe(2);
  });

  it('keeps a superseded preload whose move was undone as the candidate until the newer', async () => {
    const { source, app, prefix, seen } = await preloadingV2(3);
    source.setAlias('iris', 'champion', 2);
    await emit(prefix, aliasMoved(1, 2));
    await emit(prefix, created(3));
    source.setAlias('iris', 'champion', 1);
    await emit(prefix, aliasMoved(2, 1));
    await eventually(() => (seen.includes(3) ? true : undefined), 'v3 registered');
    await eventually(() => (slotOf(app).syncQueued ? true : undefined), 'rollback queued');
    // v2's download goes on; v3's, which starts once v2 is loaded, waits: v2 is kept meanwhile.
    source.fetches.release();
    source.fetches.hold();
    await eventually(() => (source.downloads === 3 ? true : undefined), 'v3 downloading');
    await slotOf(app).idle();
    expect(slotOf(app).loaded?.version).toBe(1);
    const v2 = slotOf(app).candidate;
    expect(v2?.version).toBe(2);
    source.fetches.release();
    await eventually(() => (slotOf(app).candidate?.version === 3 ? true : undefined), 'v3');
    expect(v2?.isRetired).toBe(true);
    await eventually(
      async () => ((await loadedVersions(app)).join() === '1,3' ? true : undefined),
      'v2 freed',
    );
  });

  it('does not put a version back in service when the alias left it during its preload', async () => {
    const { source, app, prefix } = await preloadingV2(2);
    // Promoted while preloading (the pass waits for the preload), then rolled back.
    source.setAlias('iris', 'champion', 2);
    await emit(prefix, aliasMoved(1, 2));
    source.setAlias('iris', 'champion', 1);
    await emit(prefix, aliasMoved(2, 1));
    await eventually(() => (slotOf(app).syncQueued ? true : undefined), 'rollback queued');
    source.fetches.release();
    await eventually(() => (slotOf(app).candidate?.version === 2 ? true : undefined), 'v2 ready');
    await slotOf(app).idle();
    // v2 never served: it is still the unpromoted candidate, not the standby of a swap back.
    expect(slotOf(app).loaded?.version).toBe(1);
    expect(slotOf(app).candidate?.version).toBe(2);
    expect(await servedVersion(app)).toBe(1);
  });
});

describe('catching up at reconcile on registrations no event announced', () => {
  it('preloads the newest version registered before the replica started', async () => {
    const source = await irisSource(3);
    const { app, prefix } = await started(source);
    await eventually(() => (slotOf(app).candidate?.version === 3 ? true : undefined), 'v3');
    expect(source.versionReads).toBe(1); // v3 only: v2 is not the newest
    expect(await loadedVersions(app)).toEqual([1, 3]);
    const downloads = source.downloads;
    await move(app, source, prefix, 1, 3);
    expect(source.downloads).toBe(downloads);
  });

  it('preloads a version registered while events were missed at the next reconcile', async () => {
    const source = await irisSource();
    const { app } = await started(source);
    await register(source, 2); // its event lost (a reconnect)
    expect(slotOf(app).candidate).toBeNull();
    await app.serving.follower.reconcile();
    await eventually(() => (slotOf(app).candidate?.version === 2 ? true : undefined), 'v2');
    // The next reconcile finds it warm: no second read.
    await app.serving.follower.reconcile();
    expect(source.versionReads).toBe(1);
  });

  it('downloads a broken newest version once, not at every reconcile', async () => {
    const source = await irisSource();
    publishCorrupt(source, 'iris', 2, await factory.next(2));
    const { app } = await started(source);
    await eventually(
      async () => ((await preloads(app, 'failed')) === 1 ? true : undefined),
      'fail',
    );
    const downloads = source.downloads;
    await app.serving.follower.reconcile();
    await app.serving.follower.reconcile();
    expect(source.downloads).toBe(downloads);
    expect(await preloads(app, 'failed')).toBe(1);
    expect(slotOf(app).candidate).toBeNull();
    expect(await servedVersion(app)).toBe(1);
  });

  it('catches up again once a reconcile that could not reach the registry is over', async () => {
    const source = await irisSource();
    const { app } = await started(source);
    source.failWith = new AppError('UNAVAILABLE', 'registry down');
    await app.serving.follower.reconcile();
    expect(slotOf(app).lastError?.code).toBe('UNAVAILABLE');
    source.failWith = null;
    await register(source, 2);
    await app.serving.follower.reconcile();
    await eventually(() => (slotOf(app).candidate?.version === 2 ? true : undefined), 'v2');
    expect(await servedVersion(app)).toBe(1);
  });

  it('keeps serving when the newest version cannot be read', async () => {
    const source = await irisSource();
    const { app } = await started(source);
    await register(source, 2);
    source.newestVersion = () => Promise.reject(new Error('registry down'));
    // The model set's own reconcile: the follower's would swallow a rejection.
    await expect(app.serving.models.reconcile()).resolves.toBeUndefined();
    expect(slotOf(app).candidate).toBeNull();
    expect(slotOf(app).lastError).toBeNull();
    expect(await servedVersion(app)).toBe(1);
  });
});

describe('the candidate time and SERVING_PRELOAD', () => {
  it('retires a candidate never promoted once SERVING_STANDBY_MS passed', async () => {
    const source = await irisSource();
    const { app, prefix } = await started(source, { SERVING_STANDBY_MS: '200' });
    await register(source, 2);
    await emit(prefix, created(2));
    const candidate = await eventually(() => slotOf(app).candidate ?? undefined, 'candidate');
    await eventually(() => (candidate.isRetired ? true : undefined), 'the candidate retired');
    expect(slotOf(app).candidate).toBeNull();
    const downloads = source.downloads;
    await move(app, source, prefix, 1, 2);
    expect(source.downloads).toBe(downloads + 1);
  });

  it('preloads nothing with SERVING_PRELOAD=0: the move downloads', async () => {
    const source = await irisSource(2);
    const { app, prefix } = await started(source, { SERVING_PRELOAD: '0' });
    await emit(prefix, created(2));
    const downloads = source.downloads;
    await move(app, source, prefix, 1, 2);
    expect(source.downloads).toBe(downloads + 1);
    expect(source.versionReads).toBe(0);
  });

  it('reads SERVING_PRELOAD as a boolean, on by default', () => {
    expect(loadServingEnv({}).SERVING_PRELOAD).toBe(true);
    expect(loadServingEnv({ SERVING_PRELOAD: 'false' }).SERVING_PRELOAD).toBe(false);
    expect(() => loadServingEnv({ SERVING_PRELOAD: 'maybe' })).toThrow(/SERVING_PRELOAD/);
  });
});
