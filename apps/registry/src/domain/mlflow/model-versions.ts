import {
  AppError,
  formatModelUri,
  isModelUri,
  parseModelUri,
  type ModelVersion,
} from '@mlops/contracts';
import {
  deleteModelTag,
  deleteVersionTags,
  getRun,
  getVersion,
  setModelTag,
  setVersionDescription,
  versionKeys,
  versionOfRun,
} from '@mlops/storage';
import { deleteVersion } from '../gc';
import { getVersionOrThrow, registerVersion, resolveAlias } from '../versions';
import { actor, logChange, type In, type MlflowCall, type Out } from './context';
import {
  checkOrderBy,
  decodeToken,
  encodeToken,
  exactValue,
  matches,
  parseFilter,
} from './filters';
import { metaOf, toMlflowVersion } from './mapping';
import { modelOrThrow } from './registered-models';

export async function versionOrThrow(
  call: MlflowCall,
  name: string,
  version: string,
): Promise<ModelVersion> {
  const model = await modelOrThrow(call, name);
  const found = await getVersion(call.deps.db, model.name, Number(version));
  if (!found)
    throw new AppError(
      'NOT_FOUND',
      `Model Version (name=${model.name}, version=${version}) not found`,
    );
  return found;
}

async function versionJson(call: MlflowCall, model: string, version: number) {
  const v = await getVersionOrThrow(call.deps, model, version);
  return toMlflowVersion(v, await metaOf(call.deps, model));
}

const RUN_SOURCE = /^runs:\/([A-Za-z0-9_-]{8,64})(?:\/.*)?$/;

function badSource(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `source: ${message}`, [{ path: 'source', message }]);
}

/**
 * The bundle a `source` names. `runs:/<run id>/…` is the version that run registered (the
 * trainer registers a run's bundle when it completes); `models:/<name>/<version>` and
 * `models:/<name>@<alias>` an existing version. Other URIs (a path, s3://…) hold MLflow model
 * directories this registry cannot serve: refused, pointing at `mlops import`.
 */
async function versionOfSource(call: MlflowCall, source: string): Promise<ModelVersion> {
  const run = RUN_SOURCE.exec(source)?.[1];
  if (run !== undefined) {
    const key = await versionOfRun(call.deps.db, run);
    if (key) return getVersionOrThrow(call.deps, key.model, key.version);
    const found = await getRun(call.deps.db, run);
    throw badSource(
      found
        ? `run ${run} (${found.status}) has registered no bundle; a run's bundle is registered when it completes`
        : `run ${run} does not exist in this registry`,
    );
  }
  if (isModelUri(source)) {
    const ref = parseModelUri(source, 'source');
    return ref.alias !== undefined
      ? resolveAlias(call.deps, ref.model, ref.alias)
      : getVersionOrThrow(call.deps, ref.model, ref.version);
  }
  throw badSource(
    `${JSON.stringify(source.slice(0, 100))} is not a bundle this registry holds: use runs:/<run id>/model (a run of this registry) or models:/<name>/<version>; to bring a model trained elsewhere use mlops import (docs/registry.md, "Bring your own model")`,
  );
}

/**
 * A version from `source`. The run's own version when it belongs to `name` already (what
 * `mlflow.register_model("runs:/<id>/model", name)` means here: the trainer registered it);
 * otherwise a new version of `name` with the same bundle (MLflow's copy between models).
 */
export async function createModelVersion(
  call: MlflowCall,
  input: In<'createModelVersion'>,
): Promise<Out<'createModelVersion'>> {
  const model = await modelOrThrow(call, input.name);
  const principal = actor(call);
  const from = await versionOfSource(call, input.source);
  const run =
    (await metaOf(call.deps, from.model)).runs.get(from.version) ?? from.manifest.lineage.runId;
  if (input.run_id !== undefined && input.run_id !== '' && input.run_id !== run)
    throw new AppError(
      'VALIDATION_FAILED',
      `run_id: ${input.run_id} is not the run of the bundle at ${input.source} (${run ?? 'none'})`,
      [{ path: 'run_id', message: 'does not match source' }],
    );
  const version =
    from.model === model.name
      ? from
      : await registerVersion(
          call.deps,
          { model: model.name, manifest: from.manifest, runId: null },
          principal,
        );
  for (const tag of input.tags ?? [])
    await setModelTag(call.deps.db, { model: model.name, version: version.version, ...tag });
  if (input.description !== undefined)
    await setVersionDescription(call.deps.db, {
      model: model.name,
      version: version.version,
      description: input.description,
    });
  logChange(call, 'model version created', {
    model: model.name,
    version: version.version,
    source: input.source,
  });
  return { model_version: await versionJson(call, model.name, version.version) };
}

export async function getModelVersion(
  call: MlflowCall,
  input: In<'getModelVersion'>,
): Promise<Out<'getModelVersion'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  return { model_version: toMlflowVersion(v, await metaOf(call.deps, v.model)) };
}

export async function updateModelVersion(
  call: MlflowCall,
  input: In<'updateModelVersion'>,
): Promise<Out<'updateModelVersion'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  if (input.description !== undefined) {
    actor(call);
    await setVersionDescription(call.deps.db, {
      model: v.model,
      version: v.version,
      description: input.description,
    });
    logChange(call, 'model version description set', { model: v.model, version: v.version });
  }
  return { model_version: await versionJson(call, v.model, v.version) };
}

/** Refused (409 RESOURCE_CONFLICT) while an alias points at the version, as versions.delete. */
export async function deleteModelVersion(
  call: MlflowCall,
  input: In<'deleteModelVersion'>,
): Promise<Out<'deleteModelVersion'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  actor(call);
  await deleteVersion(call.deps, { model: v.model, version: v.version });
  await deleteVersionTags(call.deps.db, v.model, v.version);
  logChange(call, 'model version deleted', { model: v.model, version: v.version });
  return {};
}

export async function searchModelVersions(
  call: MlflowCall,
  input: In<'searchModelVersions'>,
): Promise<Out<'searchModelVersions'>> {
  const clauses = parseFilter(input.filter, ['name', 'run_id', 'tags']);
  checkOrderBy(input.order_by, ['name', 'name asc', 'version_number desc']);
  // MLflow allows 200,000 per page; one answer here holds at most 1,000 (with a next token).
  const limit = Math.min(input.max_results ?? 1000, 1000);
  let after = decodeToken(
    input.page_token,
    (v): v is { model: string; version: number } =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { model?: unknown }).model === 'string' &&
      Number.isInteger((v as { version?: unknown }).version),
  );
  const name = exactValue(clauses, 'name');
  const runId = exactValue(clauses, 'run_id');
  const out = [];
  let more = false;
  while (out.length < limit && !more) {
    const keys = await versionKeys(call.deps.db, {
      limit: 200,
      ...(name !== undefined ? { model: name } : {}),
      ...(runId !== undefined ? { runId } : {}),
      ...(after ? { after } : {}),
    });
    for (const [i, key] of keys.entries()) {
      const v = await getVersion(call.deps.db, key.model, key.version);
      after = key;
      if (!v) continue;
      const meta = await metaOf(call.deps, key.model);
      const json = toMlflowVersion(v, meta);
      const ok = clauses.every((c) =>
        typeof c.field === 'object'
          ? matches(c, json.tags?.find((t) => t.key === (c.field as { tag: string }).tag)?.value)
          : matches(c, c.field === 'name' ? json.name : json.run_id),
      );
      if (ok) out.push(json);
      if (out.length === limit) {
        more = i < keys.length - 1 || keys.length === 200;
        break;
      }
    }
    if (keys.length < 200) break;
  }
  return {
    ...(out.length > 0 ? { model_versions: out } : {}),
    ...(more && after ? { next_page_token: encodeToken(after) } : {}),
  };
}

/** A version's bundle as a `models:/` URI: what the CLI, serving and @mlops/client resolve. */
export async function getModelVersionDownloadUri(
  call: MlflowCall,
  input: In<'getModelVersionDownloadUri'>,
): Promise<Out<'getModelVersionDownloadUri'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  return { artifact_uri: formatModelUri({ model: v.model, version: v.version }) };
}

export async function setModelVersionTag(
  call: MlflowCall,
  input: In<'setModelVersionTag'>,
): Promise<Out<'setModelVersionTag'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  actor(call);
  await setModelTag(call.deps.db, {
    model: v.model,
    version: v.version,
    key: input.key,
    value: input.value,
  });
  logChange(call, 'model version tag set', { model: v.model, version: v.version, key: input.key });
  return {};
}

export async function deleteModelVersionTag(
  call: MlflowCall,
  input: In<'deleteModelVersionTag'>,
): Promise<Out<'deleteModelVersionTag'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  actor(call);
  const deleted = await deleteModelTag(call.deps.db, {
    model: v.model,
    version: v.version,
    key: input.key,
  });
  if (!deleted)
    throw new AppError(
      'NOT_FOUND',
      `Model version ${v.model} v${v.version} has no tag ${JSON.stringify(input.key)}`,
    );
  logChange(call, 'model version tag deleted', {
    model: v.model,
    version: v.version,
    key: input.key,
  });
  return {};
}
