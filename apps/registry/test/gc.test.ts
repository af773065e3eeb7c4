import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsArtifactStore } from '@mlops/storage';
import { closeDeps, createDeps, S3_SPOOL_DIR } from '../src/deps';
import { filesUnder, irisRun, REDIS_URL, TOKEN, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

let r: TestRegistry;
let file: { sha256: string; size: number };

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

const has = async (sha: string) => (await r.deps.store.has(sha)) !== null;
async function upload(text: string): Promise<{ sha256: string; size: number }> {
  const res = await r.app.inject({
    method: 'POST',
    url: '/api/blobs',
    payload: Buffer.from(text),
    headers: { ...r.auth, 'content-type': 'application/octet-stream' },
  });
  return res.json<{ sha256: string; size: number }>();
}

describe('artifact garbage collection', () => {
  it('sweeps orphans only (dry run first), sparing young blobs and referenced ones', async () => {
    const orphan = await upload('nobody refers to me');
    await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'gc', manifest: manifestWith(file) },
      r.auth,
    );
    const young = await trpc(r.app, 'mutation', 'artifacts.gc', { minAgeSeconds: 3600 }, r.auth);
    expect(young.data).toMatchObject({ orphans: 0, deleted: 0 });
    const dry = await trpc(
      r.app,
      'mutation',
      'artifacts.gc',
      { dryRun: true, minAgeSeconds: 0 },
      r.auth,
    );
    expect(dry.data).toMatchObject({ orphans: 1, deleted: 0 });
    expect(await has(orphan.sha256)).toBe(true);
    const swept = await trpc(r.app, 'mutation', 'artifacts.gc', { minAgeSeconds: 0 }, r.auth);
    expect(swept.data).toMatchObject({ orphans: 1, deleted: 1, bytesFreed: orphan.size });
    expect(await has(orphan.sha256)).toBe(false);
    expect(await has(file.sha256)).toBe(true);
  });

  it('deleting a version removes its now-unreferenced blobs; not while an alias points at it', async () => {
    const own = await upload('weights of a doomed version');
    const created = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'gc', manifest: { ...manifestWith(file), files: [{ path: 'model.json', ...own }] } },
      r.auth,
    );
    const version = (created.data as { version: number }).version;
    await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: 'gc', alias: 'champion', version },
      r.auth,
    );
    const refused = await trpc(
      r.app,
      'mutation',
      'versions.delete',
      { model: 'gc', version },
      r.auth,
    );
    expect([refused.status, refused.error?.data.appCode]).toEqual([409, 'CONFLICT']);
    expect(refused.error?.message).toContain('"champion"');
    await trpc(r.app, 'mutation', 'aliases.delete', { model: 'gc', alias: 'champion' }, r.auth);
    const gone = await trpc(r.app, 'mutation', 'versions.delete', { model: 'gc', version }, r.auth);
    expect(gone.data).toEqual({ deleted: true, blobsDeleted: 1 });
    expect(await has(own.sha256)).toBe(false);
    // A blob two versions share stays until the last of them goes.
    await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'gc2', manifest: manifestWith(file) },
      r.auth,
    );
    expect(
      (await trpc(r.app, 'mutation', 'versions.delete', { model: 'gc', version: 1 }, r.auth)).data,
    ).toEqual({
      deleted: true,
      blobsDeleted: 0,
    });
    expect(await has(file.sha256)).toBe(true);
    expect(
      (await trpc(r.app, 'mutation', 'versions.delete', { model: 'gc2', version: 1 }, r.auth)).data,
    ).toEqual({
      deleted: true,
      blobsDeleted: 1,
    });
    expect(await has(file.sha256)).toBe(false);
    expect(
      (await trpc(r.app, 'mutation', 'versions.delete', { model: 'gc', version: 1 }, r.auth))
        .status,
    ).toBe(404);
  });

  it("spares blobs written since a run in progress began (a sweep's trial bundles), then sweeps them", async () => {
    const run = await trpc(r.app, 'mutation', 'runs.create', irisRun('gc-trial'), r.auth);
    expect(run.status).toBe(200);
    const trialBundle = await upload('a trial bundle nothing names until the sweep picks one');
    const during = await trpc(r.app, 'mutation', 'artifacts.gc', { minAgeSeconds: 0 }, r.auth);
    expect(during.data).toMatchObject({ deleted: 0 });
    expect(await has(trialBundle.sha256)).toBe(true);
    const id = (run.data as { id: string }).id;
    await trpc(r.app, 'mutation', 'runs.cancel', { id }, r.auth);
    const after = await trpc(r.app, 'mutation', 'artifacts.gc', { minAgeSeconds: 0 }, r.auth);
    expect(after.data).toMatchObject({ deleted: 1, bytesFreed: trialBundle.size });
    expect(await has(trialBundle.sha256)).toBe(false);
  });

  it('a dataset a run in progress trains on cannot be deleted; afterwards its blob goes', async () => {
    const ds = (await trpc(r.app, 'query', 'datasets.get', { name: 'iris' }, r.auth)).data as {
      version: number;
    };
    const row = await r.deps.db
      .selectFrom('datasets')
      .select('blob_sha256')
      .executeTakeFirstOrThrow();
    const run = await trpc(r.app, 'mutation', 'runs.create', irisRun('gc'), r.auth);
    expect(run.status).toBe(200);
    const busy = await trpc(
      r.app,
      'mutation',
      'datasets.delete',
      { name: 'iris', version: ds.version },
      r.auth,
    );
    expect([busy.status, busy.error?.data.appCode]).toEqual([409, 'CONFLICT']);
    await r.deps.db.updateTable('runs').set({ status: 'failed' }).execute();
    const done = await trpc(
      r.app,
      'mutation',
      'datasets.delete',
      { name: 'iris', version: ds.version },
      r.auth,
    );
    expect(done.data).toEqual({ deleted: true, blobsDeleted: 1 });
    expect(await has(row.blob_sha256)).toBe(false);
  });
});

describe('temp files of uploads that died', () => {
  it('are removed by GC after an hour untouched, and all of them at start-up', async () => {
    // Where the store spools its puts: the artifact dir's tmp, or the registry's for S3.
    const storeTmp =
      r.deps.store instanceof FsArtifactStore
        ? path.join(r.deps.store.root, 'tmp')
        : path.join(r.deps.tmpDir, S3_SPOOL_DIR);
    const stale = [
      path.join(r.deps.tmpDir, 'upload-dead.raw'),
      path.join(storeTmp, 's3-dead.part'),
    ];
    const fresh = path.join(r.deps.tmpDir, 'upload-alive.raw');
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const file of stale) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.alloc(1000));
      fs.utimesSync(file, old, old);
    }
    fs.writeFileSync(fresh, 'in flight');

    const dry = await trpc(r.app, 'mutation', 'artifacts.gc', { dryRun: true }, r.auth);
    expect(dry.data).toMatchObject({ tempFiles: 2, tempBytes: 2000 });
    expect(stale.every((f) => fs.existsSync(f))).toBe(true);
    const swept = await trpc(r.app, 'mutation', 'artifacts.gc', {}, r.auth);
    expect(swept.data).toMatchObject({ tempFiles: 2, tempBytes: 2000 });
    expect(stale.some((f) => fs.existsSync(f))).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);

    // A registry starting on this data dir: nothing of this process can be in flight yet.
    fs.writeFileSync(fresh, 'left by the process before');
    const next = await createDeps({
      dataDir: r.dir,
      redisUrl: REDIS_URL,
      redisPrefix: r.prefix,
      adminToken: TOKEN,
      maxUploadBytes: 1024,
      logLevel: 'silent',
    });
    // Closing connections mid-handshake makes ioredis reject in the background.
    await Promise.all([
      next.queue.waitUntilReady(),
      next.flows.waitUntilReady(),
      next.subscriber.status === 'ready'
        ? undefined
        : new Promise((resolve) => next.subscriber.once('ready', resolve)),
    ]);
    await closeDeps(next);
    // Files only: the S3 store's (empty) spool dir may stay.
    expect(filesUnder(r.deps.tmpDir)).toEqual([]);
  });
});
