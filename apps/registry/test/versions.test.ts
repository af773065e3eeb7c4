import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformEventSchema, redisKeys, type PlatformEvent } from '@mlops/contracts';
import { REDIS_URL, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

let r: TestRegistry;
let file: { sha256: string; size: number };
const manifest = () => manifestWith(file);

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

describe('versions and aliases', () => {
  it('numbers 50 concurrent versions.create 1..50 without gaps or duplicates (SQLite here, Postgres in test:infra)', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        trpc(r.app, 'mutation', 'versions.create', { model: 'conc', manifest: manifest() }, r.auth),
      ),
    );
    const versions = results
      .map((res) => (res.data as { version: number }).version)
      .sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await trpc(r.app, 'query', 'models.get', { name: 'conc' }, r.auth)).data).toMatchObject(
      {
        latestVersion: 50,
      },
    );
  });

  it('refuses a manifest whose files are not stored', async () => {
    const m = manifest();
    m.files = [{ path: 'weights.bin', sha256: 'e'.repeat(64), size: 3 }];
    const res = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'conc', manifest: m },
      r.auth,
    );
    expect(res.status).toBe(412);
    expect(res.error?.data.details?.[0]?.path).toBe('manifest.files[0]');
  });

  it('alias set publishes alias.moved with from/to and resolves', async () => {
    const sub = new Redis(REDIS_URL);
    const received: PlatformEvent[] = [];
    // Subscribe once ready: a SUBSCRIBE racing the connect-time ready check loses the events.
    if (sub.status !== 'ready') await new Promise((resolve) => sub.once('ready', resolve));
    await sub.subscribe(redisKeys(r.prefix).events);
    const got = new Promise<void>((resolve) => {
      sub.on('message', (_channel, message: string) => {
        const event = platformEventSchema.parse(JSON.parse(message));
        if (event.type === 'alias.moved') received.push(event);
        if (received.length === 2) resolve();
      });
    });
    try {
      await trpc(
        r.app,
        'mutation',
        'aliases.set',
        { model: 'conc', alias: 'champion', version: 3 },
        r.auth,
      );
      const moved = await trpc(
        r.app,
        'mutation',
        'aliases.set',
        { model: 'conc', alias: 'champion', version: 5 },
        r.auth,
      );
      expect(moved.data).toMatchObject({ alias: 'champion', version: 5 });
      await got;
      expect(received.map((e) => (e.type === 'alias.moved' ? [e.from, e.to] : null))).toEqual([
        [null, 3],
        [3, 5],
      ]);
    } finally {
      sub.disconnect();
    }
    expect(
      (await trpc(r.app, 'query', 'versions.resolve', { model: 'conc', alias: 'champion' }, r.auth))
        .data,
    ).toMatchObject({ version: 5, aliases: ['champion'] });
    const recent = await trpc(r.app, 'query', 'events.recent', { limit: 500 }, r.auth);
    expect((recent.data as PlatformEvent[]).some((e) => e.type === 'alias.moved')).toBe(true);
    expect(
      (
        await trpc(
          r.app,
          'mutation',
          'aliases.delete',
          { model: 'conc', alias: 'champion' },
          r.auth,
        )
      ).data,
    ).toEqual({ deleted: true });
    expect(
      (await trpc(r.app, 'query', 'versions.resolve', { model: 'conc', alias: 'champion' }, r.auth))
        .status,
    ).toBe(404);
    expect(
      (
        await trpc(
          r.app,
          'mutation',
          'aliases.set',
          { model: 'conc', alias: 'champion', version: 99 },
          r.auth,
        )
      ).status,
    ).toBe(404);
  });

  it('requires the token on every mutation: missing or wrong → 401', async () => {
    const none = await trpc(r.app, 'mutation', 'aliases.set', {
      model: 'conc',
      alias: 'x',
      version: 1,
    });
    expect(none.status).toBe(401);
    expect(none.error?.data.appCode).toBe('UNAUTHORIZED');
    const wrong = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: 'conc', alias: 'x', version: 1 },
      { authorization: 'Bearer wrong-token-000000000' },
    );
    expect(wrong.status).toBe(401);
    expect((await trpc(r.app, 'query', 'models.list', {}, r.auth)).status).toBe(200);
  });
});
