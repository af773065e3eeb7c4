import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, type BlobRef } from '@mlops/contracts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../private-files';
import { assertSha256, type ArtifactStore, type PutOptions, type StoredBlob } from './store';
import { removeStaleFiles, type StaleBefore, type TempSweep } from './temp-files';
import { meteringHash, verifyingStream } from './verify';

/**
 * Filesystem store: `<root>/sha256/ab/cdef…`. A put streams into `<root>/tmp/` while hashing,
 * checks the hash, then renames into place — rename is atomic on one filesystem, so a blob
 * path either holds the whole verified blob or does not exist, and failures leave no file.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathOf(sha256: string): string {
    assertSha256(sha256);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2));
  }

  async put(body: Readable | Uint8Array, opts: PutOptions = {}): Promise<BlobRef> {
    if (opts.expectedSha256 !== undefined) assertSha256(opts.expectedSha256, 'expected sha256');
    const tmpDir = path.join(this.root, 'tmp');
    await fsp.mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    const { meter, digest } = meteringHash(opts.maxBytes ?? Number.POSITIVE_INFINITY);
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    try {
      await pipeline(
        source,
        meter,
        fs.createWriteStream(tmp, { flags: 'wx', mode: PRIVATE_FILE_MODE }),
      );
      const { sha256, size } = digest();
      if (opts.expectedSha256 !== undefined && opts.expectedSha256 !== sha256) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `content sha256 is ${sha256} but ${opts.expectedSha256} was expected; the upload was corrupted or the header is wrong — nothing was stored`,
        );
      }
      const final = this.pathOf(sha256);
      await fsp.mkdir(path.dirname(final), { recursive: true, mode: PRIVATE_DIR_MODE });
      await fsp.rename(tmp, final);
      return { sha256, size };
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async get(sha256: string): Promise<Readable> {
    const file = this.pathOf(sha256);
    try {
      const handle = await fsp.open(file, 'r');
      const verify = verifyingStream(sha256, 'the filesystem store');
      const raw = handle.createReadStream();
      raw.on('error', (err) => verify.destroy(err));
      return raw.pipe(verify);
    } catch (err) {
      if (isNotFound(err))
        throw new AppError('NOT_FOUND', `blob ${sha256} does not exist; upload it first`);
      throw err;
    }
  }

  async has(sha256: string): Promise<{ size: number } | null> {
    try {
      const stat = await fsp.stat(this.pathOf(sha256));
      return { size: stat.size };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await fsp.unlink(this.pathOf(sha256));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<StoredBlob> {
    const base = path.join(this.root, 'sha256');
    let prefixes: string[];
    try {
      prefixes = (await fsp.readdir(base)).sort();
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const prefix of prefixes) {
      for (const rest of (await fsp.readdir(path.join(base, prefix))).sort()) {
        const sha256 = prefix + rest;
        if (!/^[a-f0-9]{64}$/.test(sha256)) continue;
        const stat = await fsp.stat(path.join(base, prefix, rest));
        yield { sha256, size: stat.size, modifiedAt: stat.mtime };
      }
    }
  }

  async ping(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: PRIVATE_DIR_MODE });
  }

  sweepTemp(olderThan: StaleBefore, opts: { dryRun?: boolean } = {}): Promise<TempSweep> {
    return removeStaleFiles(path.join(this.root, 'tmp'), olderThan, opts);
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}

/** The filesystem store of a data directory. */
export function fsStoreOf(dataDir: string): FsArtifactStore {
  return new FsArtifactStore(path.join(dataDir, 'artifacts'));
}
