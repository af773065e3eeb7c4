import {
  AppError,
  type BundleManifest,
  type ErrorDetail,
  type ModelVersion,
} from '@mlops/contracts';
import { createVersion, getAlias, getRun, getVersion, listVersions } from '@mlops/storage';
import { requireScope, type Principal } from '../auth';
import type { RegistryDeps } from '../deps';
import { compareSignatures } from './compatibility';
import { publishEvent } from './events';
import { inheritRunProducer } from './producers';

/**
 * Register a version: every manifest file must already be in the artifact store with the same
 * size. Numbering happens in storage (one transaction); idempotent on `runId`.
 *
 * A version tied to a run (`runId`) needs the `train` scope: the run's metrics become that
 * version's platform metrics when the trainer completes it, so a `write` token registering a
 * version first under someone's queued run would have the platform vouch for its weights.
 */
export async function registerVersion(
  deps: RegistryDeps,
  input: { model: string; manifest: BundleManifest; runId: string | null },
  /** The caller; internal registrations without a run (imports) need none. */
  principal?: Principal,
): Promise<ModelVersion> {
  if (input.runId !== null) {
    requireScope(
      principal ?? { name: 'internal', tokenId: null, scopes: [] },
      'train',
      'registering a version of a training run (runId)',
    );
  }
  const missing: ErrorDetail[] = [];
  for (const [i, file] of input.manifest.files.entries()) {
    const stored = await deps.store.has(file.sha256);
    if (!stored)
      missing.push({
        path: `manifest.files[${i}]`,
        message: `${file.path} (${file.sha256}) is not stored; upload it with POST /api/blobs first`,
      });
    else if (stored.size !== file.size)
      missing.push({
        path: `manifest.files[${i}].size`,
        message: `${file.path} is ${stored.size} bytes in the store, manifest says ${file.size}`,
      });
  }
  if (missing.length > 0) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'the manifest names files that are not stored as described',
      missing,
    );
  }
  if (input.runId !== null) {
    const run = await getRun(deps.db, input.runId);
    if (!run)
      throw new AppError('NOT_FOUND', `run ${input.runId} does not exist`, [
        { path: 'runId', message: 'unknown run' },
      ]);
    if (run.modelName !== input.model) {
      throw new AppError(
        'CONFLICT',
        `run ${input.runId} trains model ${run.modelName}, not ${input.model}`,
        [{ path: 'runId', message: 'belongs to another model' }],
      );
    }
  }
  // Marked at registration: does this signature break the champion's? (Promotion re-checks
  // against whatever `champion` points at then.)
  const champion = await getAlias(deps.db, input.model, 'champion');
  const reference = champion ? await getVersion(deps.db, input.model, champion.version) : undefined;
  const compatibility = reference
    ? compareSignatures(input.manifest.signature, reference.manifest.signature, {
        alias: 'champion',
        version: reference.version,
      })
    : null;
  const { version, created } = await createVersion(deps.db, {
    ...input,
    compatibility,
    now: new Date().toISOString(),
  });
  if (version.model !== input.model) {
    throw new AppError(
      'CONFLICT',
      `run ${input.runId ?? ''} already registered ${version.model} v${version.version}`,
    );
  }
  if (created) {
    if (input.runId !== null) await inheritRunProducer(deps, input.runId, version);
    deps.metrics.versionsCreated.inc();
    await publishEvent(deps, {
      type: 'version.created',
      model: version.model,
      version: version.version,
      runId: input.runId,
    });
  }
  return version;
}

export async function getVersionOrThrow(
  deps: RegistryDeps,
  model: string,
  version: number,
): Promise<ModelVersion> {
  const found = await getVersion(deps.db, model, version);
  if (!found) throw new AppError('NOT_FOUND', `model ${model} has no version ${version}`);
  return found;
}

export function listVersionsOf(
  deps: RegistryDeps,
  model: string,
  limit: number,
): Promise<ModelVersion[]> {
  return listVersions(deps.db, { model, limit });
}

export async function resolveAlias(
  deps: RegistryDeps,
  model: string,
  alias: string,
): Promise<ModelVersion> {
  const found = await getAlias(deps.db, model, alias);
  if (!found)
    throw new AppError(
      'NOT_FOUND',
      `model ${model} has no alias "${alias}"; set it with aliases.set`,
    );
  return getVersionOrThrow(deps, model, found.version);
}
