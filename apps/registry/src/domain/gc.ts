import { AppError } from '@mlops/contracts';
import {
  deleteDatasetRow,
  deleteVersionRow,
  imageDatasetRowBlobs,
  oldestActiveRunStart,
  referencedBlobs,
} from '@mlops/storage';
import type { RegistryDeps } from '../deps';
import { dropCacheNaming } from './pipelines/cache-liveness';
import { sweepUploadTemp, TEMP_GRACE_MS } from './temp-sweep';

const SHA_IN_TEXT = /\b[a-f0-9]{64}\b/g;

/** What the database refers to, plus the images named by the rows of image datasets. */
async function allReferences(deps: RegistryDeps): Promise<Set<string>> {
  const refs = await referencedBlobs(deps.db);
  for (const rowsBlob of await imageDatasetRowBlobs(deps.db)) {
    if ((await deps.store.has(rowsBlob)) === null) continue;
    let carry = '';
    for await (const chunk of await deps.store.get(rowsBlob)) {
      // A sha256 may straddle two chunks: keep the last 64 characters for the next round.
      const text = carry + (chunk as Buffer).toString('utf8');
      for (const sha of text.match(SHA_IN_TEXT) ?? []) refs.add(sha);
      carry = text.slice(-64);
    }
  }
  return refs;
}

/** Delete the blobs of `candidates` that nothing refers to any more. */
async function dropUnreferenced(deps: RegistryDeps, candidates: string[]): Promise<number> {
  const refs = await allReferences(deps);
  let n = 0;
  for (const sha of new Set(candidates)) if (!refs.has(sha) && (await deps.store.delete(sha))) n++;
  return n;
}

export async function deleteVersion(
  deps: RegistryDeps,
  input: { model: string; version: number },
): Promise<{ deleted: boolean; blobsDeleted: number }> {
  const files = await deleteVersionRow(deps.db, input.model, input.version);
  if (!files)
    throw new AppError('NOT_FOUND', `model ${input.model} has no version ${input.version}`);
  await dropCacheNaming(deps, input);
  return { deleted: true, blobsDeleted: await dropUnreferenced(deps, files) };
}

export async function deleteDataset(
  deps: RegistryDeps,
  input: { name: string; version: number },
): Promise<{ deleted: boolean; blobsDeleted: number }> {
  const blob = await deleteDatasetRow(deps.db, input.name, input.version);
  if (!blob)
    throw new AppError('NOT_FOUND', `dataset ${input.name} has no version ${input.version}`);
  await dropCacheNaming(deps, { dataset: input.name, version: input.version });
  return { deleted: true, blobsDeleted: await dropUnreferenced(deps, [blob]) };
}

/**
 * Blobs written less than this before the oldest active run was created are spared too: object
 * stores date objects to the second (S3's LastModified), so a run's first blobs may look older.
 */
const ACTIVE_RUN_MARGIN_MS = 60_000;

/**
 * Sweep temp files of uploads that died more than TEMP_GRACE_MS ago, then orphans: the whole store (every listing page) minus what the database refers to, minus
 * blobs younger than `minAgeSeconds`, minus blobs written since the oldest run in progress began
 * (they may be its artifacts before the database names them: a sweep's trial bundles).
 */
export async function collectGarbage(
  deps: RegistryDeps,
  input: { dryRun: boolean; minAgeSeconds: number },
): Promise<{
  scanned: number;
  orphans: number;
  deleted: number;
  bytesFreed: number;
  tempFiles: number;
  tempBytes: number;
}> {
  const refs = await allReferences(deps);
  const oldestActive = await oldestActiveRunStart(deps.db);
  const cutoff = Math.min(
    Date.now() - input.minAgeSeconds * 1000,
    oldestActive ? oldestActive.getTime() - ACTIVE_RUN_MARGIN_MS : Infinity,
  );
  const temp = await sweepUploadTemp(deps, new Date(Date.now() - TEMP_GRACE_MS), {
    dryRun: input.dryRun,
  });
  const out = {
    scanned: 0,
    orphans: 0,
    deleted: 0,
    bytesFreed: 0,
    tempFiles: temp.files,
    tempBytes: temp.bytes,
  };
  const orphans: Array<{ sha256: string; size: number }> = [];
  for await (const blob of deps.store.list()) {
    out.scanned++;
    if (!refs.has(blob.sha256) && blob.modifiedAt.getTime() <= cutoff) orphans.push(blob);
  }
  out.orphans = orphans.length;
  if (input.dryRun || orphans.length === 0) return out;
  // Look again right before deleting: a registration may have claimed one meanwhile.
  const now = await allReferences(deps);
  for (const blob of orphans) {
    if (now.has(blob.sha256)) continue;
    if (await deps.store.delete(blob.sha256)) {
      out.deleted++;
      out.bytesFreed += blob.size;
    }
  }
  return out;
}
