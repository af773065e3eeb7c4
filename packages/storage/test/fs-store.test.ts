import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@mlops/contracts';
import { FsArtifactStore } from '../src';

let dir: string;
let store: FsArtifactStore;
const shaOf = (s: string) => createHash('sha256').update(s).digest('hex');

function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-fs-'));
  store = new FsArtifactStore(path.join(dir, 'artifacts'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('FsArtifactStore', () => {
  it('round-trips bytes and streams under sha256/ab/cdef…', async () => {
    const ref = await store.put(Buffer.from('hello'));
    expect(ref).toEqual({ sha256: shaOf('hello'), size: 5 });
    expect(
      fs.existsSync(
        path.join(dir, 'artifacts', 'sha256', ref.sha256.slice(0, 2), ref.sha256.slice(2)),
      ),
    ).toBe(true);
    expect(await text(await store.get(ref.sha256))).toBe('hello');
    const streamed = await store.put(Readable.from(['wor', 'ld']), {
      expectedSha256: shaOf('world'),
    });
    expect(streamed.size).toBe(5);
    expect(await store.has(streamed.sha256)).toEqual({ size: 5 });
    expect(await store.delete(streamed.sha256)).toBe(true);
    expect(await store.has(streamed.sha256)).toBeNull();
    expect(await store.delete(streamed.sha256)).toBe(false);
  });

  it('rejects a sha mismatch and leaves nothing behind', async () => {
    const before = filesUnder(path.join(dir, 'artifacts')).length;
    await expect(
      store.put(Buffer.from('abc'), { expectedSha256: shaOf('xyz') }),
    ).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    expect(await store.has(shaOf('abc'))).toBeNull();
    expect(filesUnder(path.join(dir, 'artifacts')).length).toBe(before);
  });

  it('stops at maxBytes and leaves nothing behind', async () => {
    const before = filesUnder(path.join(dir, 'artifacts')).length;
    await expect(store.put(Buffer.alloc(100), { maxBytes: 10 })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(filesUnder(path.join(dir, 'artifacts')).length).toBe(before);
  });

  it('refuses sha strings that could escape the store', async () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'ab/' + 'c'.repeat(61), '']) {
      await expect(store.has(bad)).rejects.toBeInstanceOf(AppError);
      await expect(store.get(bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('answers NOT_FOUND for a missing blob', async () => {
    await expect(store.get('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
