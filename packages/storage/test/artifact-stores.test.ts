import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FsArtifactStore, S3ArtifactStore, type ArtifactStore } from '../src';
import { INFRA, startTestS3, type TestS3 } from '../src/testing';

// One contract, two stores: every behaviour is proven on the filesystem and on S3 (s3rver).
const shaOf = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

interface Harness {
  store: ArtifactStore;
  /** Overwrite the stored bytes of a blob behind the store's back (bit rot, tampering). */
  corrupt(sha256: string, bytes: Buffer): Promise<void>;
  /** Where puts spool their `.part` files. */
  tempDir: string;
  close(): Promise<void>;
}

function fsHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-fs-'));
  const store = new FsArtifactStore(dir);
  return Promise.resolve({
    store,
    corrupt: (sha, bytes) => fs.promises.writeFile(store.pathOf(sha), bytes),
    tempDir: path.join(dir, 'tmp'),
    close: () => fs.promises.rm(dir, { recursive: true, force: true }),
  });
}

let s3: TestS3 | undefined;
async function s3Harness(): Promise<Harness> {
  s3 = await startTestS3({ partSize: 5 * 1024 * 1024 });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-s3-'));
  const store = new S3ArtifactStore({ ...s3.config, tmpDir });
  const server = s3;
  return {
    store,
    corrupt: async (sha, bytes) => {
      await store.client.putObject(store.bucket, store.keyOf(sha), bytes, bytes.length);
    },
    tempDir: tmpDir,
    close: async () => {
      await server.close();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

describe.each([
  ['filesystem', fsHarness],
  ['s3', s3Harness],
] as const)('%s artifact store', (_name, make) => {
  let h: Harness;
  const all = async () => {
    const out: string[] = [];
    for await (const b of h.store.list()) out.push(b.sha256);
    return out.sort();
  };
  beforeAll(async () => {
    h = await make();
  });
  afterAll(async () => {
    await h.close();
  });

  it('round-trips bytes content-addressed; put is idempotent; delete says what it did', async () => {
    const ref = await h.store.put(Buffer.from('hello'));
    expect(ref).toEqual({ sha256: shaOf('hello'), size: 5 });
    expect(await h.store.put(Readable.from(['hel', 'lo']))).toEqual(ref);
    expect(await text(await h.store.get(ref.sha256))).toBe('hello');
    expect(await h.store.has(ref.sha256)).toEqual({ size: 5 });
    expect(await all()).toContain(ref.sha256);
    expect(await h.store.delete(ref.sha256)).toBe(true);
    expect(await h.store.has(ref.sha256)).toBeNull();
    expect(await h.store.delete(ref.sha256)).toBe(false);
    await expect(h.store.get(ref.sha256)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a sha mismatch, an oversized body or a truncated stream store nothing', async () => {
    const before = await all();
    await expect(
      h.store.put(Buffer.from('abc'), { expectedSha256: shaOf('xyz') }),
    ).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    await expect(h.store.put(Buffer.alloc(100), { maxBytes: 10 })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    const truncated = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(h.store.put(truncated)).rejects.toThrow('client went away');
    expect(await all()).toEqual(before);
    expect(await h.store.has(shaOf('abc'))).toBeNull();
  });

  it('verifies the checksum on every read', async () => {
    const ref = await h.store.put(Buffer.from('the real bytes'));
    await h.corrupt(ref.sha256, Buffer.from('rotten bytes!!'));
    await expect(buffer(await h.store.get(ref.sha256))).rejects.toThrow(/corrupted/);
  });

  it('stores a large blob (multipart on S3: 11 MiB in 5 MiB parts) intact', async () => {
    const big = randomBytes(11 * 1024 * 1024);
    const ref = await h.store.put(
      Readable.from([big.subarray(0, 3_000_000), big.subarray(3_000_000)]),
    );
    expect(ref).toEqual({ sha256: shaOf(big), size: big.length });
    expect(shaOf(await buffer(await h.store.get(ref.sha256)))).toBe(ref.sha256);
    await h.store.ping();
  });

  it('sweeps the .part files a killed put left, sparing a put in flight', async () => {
    // A put that has spooled its first bytes and waits for the rest (a slow client).
    const slow = new Readable({ read() {} });
    slow.push(Buffer.from('first bytes '));
    const inFlight = h.store.put(slow);
    await vi.waitFor(
      () => expect(fs.readdirSync(h.tempDir).some((n) => n.endsWith('.part'))).toBe(true),
      { timeout: 5_000, interval: 10 },
    );
    // What a process killed mid-put left, two hours ago.
    const dead = path.join(h.tempDir, `${_name === 's3' ? 's3-' : ''}dead.part`);
    fs.writeFileSync(dead, Buffer.alloc(4096));
    const twoHoursAgo = new Date(Date.now() - 7_200_000);
    fs.utimesSync(dead, twoHoursAgo, twoHoursAgo);
    const hourAgo = new Date(Date.now() - 3_600_000);

    expect(await h.store.sweepTemp(hourAgo, { dryRun: true })).toEqual({ files: 1, bytes: 4096 });
    expect(fs.existsSync(dead)).toBe(true);
    expect(await h.store.sweepTemp(hourAgo)).toEqual({ files: 1, bytes: 4096 });
    expect(fs.existsSync(dead)).toBe(false);
    slow.push(Buffer.from('and the rest'));
    slow.push(null);
    expect(await inFlight).toEqual({ sha256: shaOf('first bytes and the rest'), size: 24 });

    fs.writeFileSync(dead, 'x');
    expect(await h.store.sweepTemp('all')).toEqual({ files: 1, bytes: 1 });
    expect(fs.readdirSync(h.tempDir)).toEqual([]);
  });
});

describe('s3 store availability', () => {
  it('answers UNAVAILABLE while the object store is down and recovers when it returns', async () => {
    const server = await startTestS3();
    const store = new S3ArtifactStore(server.config);
    try {
      const ref = await store.put(Buffer.from('before'));
      await server.stop();
      await expect(store.has(ref.sha256)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.put(Buffer.from('during'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await server.restart();
      expect(await text(await store.get(ref.sha256))).toBe('before');
    } finally {
      await server.close();
    }
  });

  // Listing pages at 1000 keys; prove the iterator walks past the first page (slow on s3rver,
  // so only in the infra run).
  it.runIf(INFRA)('lists more than one page of objects', async () => {
    const server = await startTestS3();
    const store = new S3ArtifactStore(server.config);
    try {
      for (let i = 0; i < 1005; i++) await store.put(Buffer.from(`object ${i}`));
      let n = 0;
      for await (const _ of store.list()) n++;
      expect(n).toBe(1005);
    } finally {
      await server.close();
    }
  });
});
