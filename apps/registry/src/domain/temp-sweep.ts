import { removeStaleFiles, type StaleBefore, type TempSweep } from '@mlops/storage';
import type { RegistryDeps } from '../deps';

/**
 * A temp file untouched this long belongs to an upload that died with its process: uploads in
 * flight write theirs as the bytes arrive, and the longest pass that only reads one (schema
 * inference of a 1 GiB dataset) takes minutes.
 */
export const TEMP_GRACE_MS = 3_600_000;

/**
 * Remove what killed uploads left: the registry's own temp dir (dataset uploads) and the
 * store's (blob `.part` files, S3 multipart leftovers). At start-up `all` is stale; the garbage
 * collector passes a date TEMP_GRACE_MS ago.
 */
export async function sweepUploadTemp(
  deps: Pick<RegistryDeps, 'store' | 'tmpDir'>,
  olderThan: StaleBefore,
  opts: { dryRun?: boolean } = {},
): Promise<TempSweep> {
  const store = await deps.store.sweepTemp(olderThan, opts);
  const own = await removeStaleFiles(deps.tmpDir, olderThan, opts);
  return { files: store.files + own.files, bytes: store.bytes + own.bytes };
}
