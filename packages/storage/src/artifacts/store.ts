import type { Readable } from 'node:stream';
import { AppError, type BlobRef } from '@mlops/contracts';
import type { StaleBefore, TempSweep } from './temp-files';

/**
 * Content-addressed blob storage. Blobs are immutable and named by their sha256, so `put` of
 * the same bytes twice is a no-op and readers never see a partial blob.
 */
export interface ArtifactStore {
  /** Store a blob; rejects with PRECONDITION_FAILED (and stores nothing) when `expectedSha` differs. */
  put(body: Readable | Uint8Array, opts?: PutOptions): Promise<BlobRef>;
  /** A stream of the blob; NOT_FOUND when absent. */
  get(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<{ size: number } | null>;
  /** true when something was deleted. */
  delete(sha256: string): Promise<boolean>;
  /** Every stored blob, page after page (for garbage collection): never capped at one page. */
  list(): AsyncIterable<StoredBlob>;
  /** Readiness probe: rejects when the store cannot be reached. */
  ping(): Promise<void>;
  /**
   * Remove what interrupted puts left behind (spooled `.part` files; for S3, incomplete
   * multipart uploads), when older than `olderThan`. A put in flight is never that old.
   */
  sweepTemp(olderThan: StaleBefore, opts?: { dryRun?: boolean }): Promise<TempSweep>;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /** When it was written (GC spares young blobs: uploaded, not yet registered). */
  modifiedAt: Date;
}

export interface PutOptions {
  expectedSha256?: string;
  /** Reject with PAYLOAD_TOO_LARGE once more than this many bytes arrive. */
  maxBytes?: number;
}

const SHA256 = /^[a-f0-9]{64}$/;

/** Sha strings end up in file paths: anything but 64 lowercase hex characters is refused. */
export function assertSha256(value: string, what = 'sha256'): void {
  if (!SHA256.test(value)) {
    throw new AppError('VALIDATION_FAILED', `${what} must be 64 lowercase hex characters`, [
      { path: what, message: 'must be a lowercase hex sha256' },
    ]);
  }
}
