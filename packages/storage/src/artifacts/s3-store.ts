import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'minio';
import { AppError, type BlobRef } from '@mlops/contracts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../private-files';
import { assertSha256, type ArtifactStore, type PutOptions, type StoredBlob } from './store';
import { removeStaleFiles, type StaleBefore, type TempSweep } from './temp-files';
import { meteringHash, verifyingStream } from './verify';

export interface S3StoreConfig {
  /** e.g. `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com`. */
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region?: string;
  /** Path-style URLs (MinIO, s3rver); virtual-host style otherwise. */
  pathStyle?: boolean;
  /** Key prefix inside the bucket (default none). */
  prefix?: string;
  /** Multipart part size in bytes (minio default 64 MiB, S3 minimum 5 MiB). */
  partSize?: number;
  /** Where uploads are spooled while hashed (default the OS temp dir). */
  tmpDir?: string;
}

/**
 * S3/MinIO store with the filesystem store's guarantees. Keys are content addresses
 * (`sha256/ab/cdef…`), so the sha must be known before the object is written: a put spools the
 * body to a temp file while hashing it, checks the expected sha, and only then uploads (the
 * minio client switches to multipart above `partSize`). A failed or truncated upload never
 * creates the key; every get is re-hashed on the way out.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly client: Client;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly tmpDir: string;
  private readonly where: string;
  private readonly partSize: number;

  constructor(config: S3StoreConfig) {
    const url = new URL(config.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      useSSL: url.protocol === 'https:',
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
      pathStyle: config.pathStyle ?? true,
    });
    this.bucket = config.bucket;
    this.prefix = config.prefix ?? '';
    this.tmpDir = config.tmpDir ?? os.tmpdir();
    this.partSize = config.partSize ?? 64 * 1024 * 1024;
    this.where = `s3 bucket ${config.bucket} at ${url.origin}`;
  }

  keyOf(sha256: string): string {
    assertSha256(sha256);
    return `${this.prefix}sha256/${sha256.slice(0, 2)}/${sha256.slice(2)}`;
  }

  /** Create the bucket when missing (startup, tests). */
  async ensureBucket(region?: string): Promise<void> {
    await this.call(async () => {
      if (!(await this.client.bucketExists(this.bucket)))
        await this.client.makeBucket(this.bucket, region ?? '');
    });
  }

  async put(body: Readable | Uint8Array, opts: PutOptions = {}): Promise<BlobRef> {
    if (opts.expectedSha256 !== undefined) assertSha256(opts.expectedSha256, 'expected sha256');
    await fsp.mkdir(this.tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = path.join(this.tmpDir, `s3-${randomUUID()}.part`);
    const { meter, digest } = meteringHash(opts.maxBytes ?? Number.POSITIVE_INFINITY);
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    try {
      await pipeline(
        source,
        meter,
        fs.createWriteStream(tmp, { flags: 'wx', mode: PRIVATE_FILE_MODE }),
      );
      const ref = digest();
      if (opts.expectedSha256 !== undefined && opts.expectedSha256 !== ref.sha256) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `content sha256 is ${ref.sha256} but ${opts.expectedSha256} was expected; the upload was corrupted or the header is wrong — nothing was stored`,
        );
      }
      const existing = await this.has(ref.sha256);
      if (existing?.size === ref.size) return ref;
      const key = this.keyOf(ref.sha256);
      const headers = {
        'x-amz-meta-sha256': ref.sha256,
        'content-type': 'application/octet-stream',
      };
      if (ref.size <= this.partSize) {
        const bytes = await fsp.readFile(tmp);
        await this.call(() => this.client.putObject(this.bucket, key, bytes, ref.size, headers));
      } else {
        await this.call(() => this.multipart(key, tmp, ref.size, headers));
      }
      return ref;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /**
   * Multipart upload, one part of `partSize` in memory at a time. Done here rather than by
   * putObject's stream mode, which first lists incomplete uploads (not every S3 server has
   * that). An upload that fails is aborted, so no half object and no orphaned parts remain.
   */
  private async multipart(
    key: string,
    file: string,
    size: number,
    headers: Record<string, string>,
  ): Promise<void> {
    const uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, headers);
    const handle = await fsp.open(file, 'r');
    try {
      const etags: Array<{ part: number; etag: string }> = [];
      for (let offset = 0, part = 1; offset < size; offset += this.partSize, part++) {
        const chunk = Buffer.alloc(Math.min(this.partSize, size - offset));
        await handle.read(chunk, 0, chunk.length, offset);
        const done = await this.client.uploadPart(
          {
            bucketName: this.bucket,
            objectName: key,
            uploadID: uploadId,
            partNumber: part,
            headers: {},
          },
          chunk,
        );
        etags.push({ part, etag: done.etag });
      }
      await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
    } catch (err) {
      await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      throw err;
    } finally {
      await handle.close();
    }
  }

  async get(sha256: string): Promise<Readable> {
    const key = this.keyOf(sha256);
    let raw: Readable;
    try {
      raw = await this.call(() => this.client.getObject(this.bucket, key));
    } catch (err) {
      if (isNotFound(err))
        throw new AppError('NOT_FOUND', `blob ${sha256} does not exist; upload it first`);
      throw err;
    }
    const verify = verifyingStream(sha256, this.where);
    raw.on('error', (err) => verify.destroy(err));
    return raw.pipe(verify);
  }

  async has(sha256: string): Promise<{ size: number } | null> {
    const key = this.keyOf(sha256);
    try {
      const stat = await this.call(() => this.client.statObject(this.bucket, key));
      return { size: stat.size };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    if (!(await this.has(sha256))) return false;
    await this.call(() => this.client.removeObject(this.bucket, this.keyOf(sha256)));
    return true;
  }

  /**
   * Every object, page after page: the client's listing stream follows the markers itself, so
   * the walk is not capped at the server's 1000-key page. (V1 listing: s3rver fails V2
   * continuation requests; MinIO and S3 answer both.)
   */
  async *list(): AsyncIterable<StoredBlob> {
    const stream = this.client.listObjects(this.bucket, `${this.prefix}sha256/`, true);
    for await (const item of stream as AsyncIterable<{
      name?: string;
      size?: number;
      lastModified?: Date;
    }>) {
      const rest = item.name?.slice(`${this.prefix}sha256/`.length) ?? '';
      const sha256 = rest.replace('/', '');
      if (/^[a-f0-9]{64}$/.test(sha256))
        yield { sha256, size: item.size ?? 0, modifiedAt: item.lastModified ?? new Date(0) };
    }
  }

  /**
   * Spool files of this store's temp dir older than `olderThan`, and incomplete multipart
   * uploads under the prefix older than `olderThan` AND than MULTIPART_STALE_MS: other
   * registry replicas share the bucket, and an upload of theirs in flight is younger than that.
   * A server without the listing (s3rver) only has its spool files swept.
   */
  async sweepTemp(olderThan: StaleBefore, opts: { dryRun?: boolean } = {}): Promise<TempSweep> {
    const out = await removeStaleFiles(this.tmpDir, olderThan, {
      ...opts,
      matches: (name) => name.startsWith('s3-') && name.endsWith('.part'),
    });
    const sharedCutoff = Date.now() - MULTIPART_STALE_MS;
    const cutoff = olderThan === 'all' ? sharedCutoff : Math.min(olderThan.getTime(), sharedCutoff);
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      let page;
      try {
        page = await this.call(() =>
          this.client.listIncompleteUploadsQuery(
            this.bucket,
            `${this.prefix}sha256/`,
            keyMarker,
            uploadIdMarker,
            '',
          ),
        );
      } catch (err) {
        if (isNotImplemented(err)) return out;
        throw err;
      }
      for (const upload of page.uploads) {
        if (upload.initiated.getTime() >= cutoff) continue;
        if (!opts.dryRun)
          await this.call(() =>
            this.client.abortMultipartUpload(this.bucket, upload.key, upload.uploadId),
          );
        out.files += 1;
      }
      if (!page.isTruncated) return out;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }

  async ping(): Promise<void> {
    const exists = await this.call(() => this.client.bucketExists(this.bucket));
    if (!exists)
      throw new AppError('UNAVAILABLE', `${this.where} does not exist; create the bucket`);
  }

  /** Network failures become UNAVAILABLE (503) with where the store is; S3 errors pass through. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isNetworkError(err)) {
        throw new AppError(
          'UNAVAILABLE',
          `the object store (${this.where}) is unreachable; retry when it is back`,
        );
      }
      throw err;
    }
  }
}

/** An incomplete multipart upload this old is abandoned (parts go up one after another). */
const MULTIPART_STALE_MS = 3_600_000;

function isNotImplemented(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'NotImplemented';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

function isNetworkError(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && NETWORK_CODES.has(String(err.code))
  );
}

function isNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  return err.code === 'NotFound' || err.code === 'NoSuchKey';
}
