import type { JsonValue } from '@mlops/contracts';
import {
  countCachedStepHit,
  dropCachedStep,
  dropCachedStepsNaming,
  getDatasetVersion,
  getEvaluation,
  getRun,
  getVersion,
  peekCachedStep,
} from '@mlops/storage';
import type { RegistryDeps } from '../../deps';

type Outputs = Record<string, JsonValue>;

/**
 * The built-in steps whose outputs name artifacts they made: `dataset` + `version` (ingest),
 * `model` + `version` and `runId` (train), `evaluationId` (evaluate). A custom step's outputs
 * mean what its author says — an echo of a name is no artifact — so they are left alone.
 */
const ARTIFACT_STEPS = new Set(['ingest', 'train', 'evaluate']);

async function missingArtifact(deps: RegistryDeps, o: Outputs): Promise<string | null> {
  const version = typeof o.version === 'number' ? o.version : null;
  if (typeof o.model === 'string' && version !== null && !o.alias) {
    if (!(await getVersion(deps.db, o.model, version))) return `model ${o.model} v${version}`;
  }
  if (typeof o.dataset === 'string' && version !== null) {
    if (!(await getDatasetVersion(deps.db, o.dataset, version)))
      return `dataset ${o.dataset} v${version}`;
  }
  if (typeof o.runId === 'string' && !(await getRun(deps.db, o.runId))) return `run ${o.runId}`;
  if (typeof o.evaluationId === 'string' && !(await getEvaluation(deps.db, o.evaluationId)))
    return `evaluation ${o.evaluationId}`;
  return null;
}

/**
 * A cache hit whose outputs (of a built-in step) still name live artifacts. An entry naming something deleted since
 * (a model version, a dataset version) is dropped and reported as a miss: the step runs again
 * rather than hand the next steps a version that is gone.
 */
export async function takeLiveCachedStep(
  deps: RegistryDeps,
  key: string,
  now: string,
): Promise<Outputs | undefined> {
  const entry = await peekCachedStep(deps.db, key);
  if (!entry) return undefined;
  const missing = ARTIFACT_STEPS.has(entry.uses)
    ? await missingArtifact(deps, entry.outputs)
    : null;
  if (!missing) {
    await countCachedStepHit(deps.db, key, now);
    return entry.outputs;
  }
  deps.logger.info(
    { cacheKey: key, missing },
    'step cache entry names a deleted artifact: dropped',
  );
  await dropCachedStep(deps.db, key);
  return undefined;
}

/**
 * Garbage collection of the cache with its artifacts: after a model or dataset version is
 * deleted, the entries whose outputs name it go too.
 */
export async function dropCacheNaming(
  deps: RegistryDeps,
  artifact: { model: string; version: number } | { dataset: string; version: number },
): Promise<number> {
  const named =
    'model' in artifact
      ? { field: 'model' as const, name: artifact.model, version: artifact.version }
      : { field: 'dataset' as const, name: artifact.dataset, version: artifact.version };
  return dropCachedStepsNaming(deps.db, named, [...ARTIFACT_STEPS]);
}
