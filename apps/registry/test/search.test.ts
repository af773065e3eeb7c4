import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IRIS_CSV, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

let r: TestRegistry;
let file: { sha256: string; size: number };

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
  for (const model of ['alpha', 'alpine', 'beta', 'a_b', 'axb']) {
    await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model, manifest: manifestWith(file) },
      r.auth,
    );
  }
  for (const accuracy of [0.5, 0.7, 0.9, 0.95, 0.6]) {
    const manifest = { ...manifestWith(file), metrics: { accuracy } };
    await trpc(r.app, 'mutation', 'versions.create', { model: 'many', manifest }, r.auth);
  }
  await trpc(
    r.app,
    'mutation',
    'aliases.set',
    { model: 'beta', alias: 'champion', version: 1 },
    r.auth,
  );
  for (const name of ['iris-b', 'iris-c']) {
    await r.app.inject({
      method: 'POST',
      url: `/api/datasets/${name}`,
      payload: IRIS_CSV,
      headers: { ...r.auth, 'content-type': 'text/csv' },
    });
  }
});
afterAll(async () => {
  await r.close();
});

type Page<T> = { items: T[]; nextCursor: string | number | null };

describe('search and cursor pagination', () => {
  it('models: by name substring (wildcards literal), by alias, page by page', async () => {
    const names = async (input: Record<string, unknown>) =>
      (
        (await trpc(r.app, 'query', 'models.search', input, r.auth)).data as Page<{ name: string }>
      ).items.map((m) => m.name);
    expect(await names({ nameContains: 'alp' })).toEqual(['alpha', 'alpine']);
    expect(await names({ nameContains: 'a_b' })).toEqual(['a_b']); // "_" is not a wildcard
    expect(await names({ alias: 'champion' })).toEqual(['beta']);
    const seen: string[] = [];
    let cursor: string | number | null | undefined;
    do {
      const page = (
        await trpc(
          r.app,
          'query',
          'models.search',
          { limit: 2, ...(cursor ? { cursor } : {}) },
          r.auth,
        )
      ).data as Page<{ name: string }>;
      seen.push(...page.items.map((m) => m.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['a_b', 'alpha', 'alpine', 'axb', 'beta', 'many']);
    expect(
      (await trpc(r.app, 'query', 'models.search', { nameContains: '%' }, r.auth)).status,
    ).toBe(400);
  });

  it('versions: by metric range, newest first, cursor-paged', async () => {
    const first = (
      await trpc(
        r.app,
        'query',
        'versions.search',
        {
          model: 'many',
          metric: { name: 'accuracy', min: 0.6 },
          limit: 2,
        },
        r.auth,
      )
    ).data as Page<{ version: number }>;
    expect(first.items.map((v) => v.version)).toEqual([5, 4]);
    const second = (
      await trpc(
        r.app,
        'query',
        'versions.search',
        {
          model: 'many',
          metric: { name: 'accuracy', min: 0.6 },
          limit: 2,
          cursor: first.nextCursor,
        },
        r.auth,
      )
    ).data as Page<{ version: number }>;
    expect(second.items.map((v) => v.version)).toEqual([3, 2]);
    expect(second.nextCursor).toBeNull();
  });

  it('datasets: by name substring, cursor-paged', async () => {
    const first = (
      await trpc(r.app, 'query', 'datasets.search', { nameContains: 'iris', limit: 2 }, r.auth)
    ).data as Page<{ name: string }>;
    expect(first.items.map((d) => d.name)).toEqual(['iris', 'iris-b']);
    const rest = (
      await trpc(
        r.app,
        'query',
        'datasets.search',
        {
          nameContains: 'iris',
          limit: 2,
          cursor: first.nextCursor,
        },
        r.auth,
      )
    ).data as Page<{ name: string }>;
    expect(rest.items.map((d) => d.name)).toEqual(['iris-c']);
    expect(rest.nextCursor).toBeNull();
  });
});

describe('runs.search', () => {
  it('pages runs newest first and filters by model, status and metric', async () => {
    const spec = (modelName: string) => ({
      modelName,
      dataset: { name: 'iris-b' },
      task: 'classification',
      target: 'species',
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await trpc(r.app, 'mutation', 'runs.create', spec('searched'), r.auth);
      ids.push((res.data as { id: string }).id);
    }
    await trpc(r.app, 'mutation', 'runs.create', spec('other'), r.auth);

    // One run completes with a metric (it registers a version first, as the trainer does).
    const version = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'searched', manifest: manifestWith(file), runId: ids[0] },
      r.auth,
    );
    await trpc(r.app, 'mutation', 'runs.start', { id: ids[0], backend: 'cpu' }, r.auth);
    const done = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      {
        id: ids[0],
        metrics: { accuracy: 0.93 },
        version: (version.data as { version: number }).version,
      },
      r.auth,
    );
    expect(done.status).toBe(200);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await trpc(
        r.app,
        'query',
        'runs.search',
        {
          model: 'searched',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        },
        r.auth,
      );
      const page = res.data as Page<{ id: string; modelName: string }>;
      expect(page.items.every((run) => run.modelName === 'searched')).toBe(true);
      seen.push(...page.items.map((run) => run.id));
      if (page.nextCursor === null) break;
      cursor = String(page.nextCursor);
    }
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(5);

    const queued = await trpc(
      r.app,
      'query',
      'runs.search',
      {
        model: 'searched',
        status: 'queued',
      },
      r.auth,
    );
    expect((queued.data as Page<unknown>).items).toHaveLength(4);
    const accurate = await trpc(
      r.app,
      'query',
      'runs.search',
      {
        metric: { name: 'accuracy', min: 0.9 },
      },
      r.auth,
    );
    expect((accurate.data as Page<{ id: string }>).items.map((run) => run.id)).toEqual([ids[0]]);
    const bad = await trpc(r.app, 'query', 'runs.search', { cursor: '../etc' }, r.auth);
    expect(bad.status).toBe(400);
  });
});
