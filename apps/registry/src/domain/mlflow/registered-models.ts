import { AppError, type Model } from '@mlops/contracts';
import {
  createModelRow,
  deleteModelRow,
  deleteModelTag,
  listVersions,
  MODEL_TAG_VERSION,
  searchModels,
  setModelDescription,
  setModelTag,
} from '@mlops/storage';
import { aliasesOf, removeAlias } from '../aliases';
import { deleteVersion } from '../gc';
import { getModelOrThrow } from '../models';
import {
  actor,
  checkName,
  logChange,
  MlflowError,
  type In,
  type MlflowCall,
  type Out,
} from './context';
import {
  checkOrderBy,
  decodeToken,
  exactValue,
  matches,
  nameFragment,
  parseFilter,
  encodeToken,
} from './filters';
import { metaOf, NO_STAGE, toMlflowModel, toMlflowVersion } from './mapping';

/** MLflow's RESOURCE_DOES_NOT_EXIST wording for a registered model. */
export async function modelOrThrow(call: MlflowCall, name: string): Promise<Model> {
  try {
    return await getModelOrThrow(call.deps, checkName(name));
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND')
      throw new AppError('NOT_FOUND', `Registered Model with name=${name} not found`);
    throw err;
  }
}

export async function registeredModelJson(call: MlflowCall, model: Model) {
  const [latest] = await listVersions(call.deps.db, { model: model.name, limit: 1 });
  return toMlflowModel(model, latest, await metaOf(call.deps, model.name));
}

export async function createRegisteredModel(
  call: MlflowCall,
  input: In<'createRegisteredModel'>,
): Promise<Out<'createRegisteredModel'>> {
  const name = checkName(input.name);
  const now = new Date().toISOString();
  const created = await createModelRow(call.deps.db, {
    name,
    description: input.description ?? '',
    now,
  });
  if (!created)
    throw new MlflowError(
      'RESOURCE_ALREADY_EXISTS',
      'CONFLICT',
      `Registered Model (name=${name}) already exists.`,
    );
  for (const tag of input.tags ?? [])
    await setModelTag(call.deps.db, { model: name, version: MODEL_TAG_VERSION, ...tag });
  logChange(call, 'registered model created', { model: name });
  return { registered_model: await registeredModelJson(call, await modelOrThrow(call, name)) };
}

export async function getRegisteredModel(
  call: MlflowCall,
  input: In<'getRegisteredModel'>,
): Promise<Out<'getRegisteredModel'>> {
  return {
    registered_model: await registeredModelJson(call, await modelOrThrow(call, input.name)),
  };
}

export async function renameRegisteredModel(
  call: MlflowCall,
  input: In<'renameRegisteredModel'>,
): Promise<Out<'renameRegisteredModel'>> {
  const model = await modelOrThrow(call, input.name);
  if (input.new_name === undefined || input.new_name === model.name)
    return { registered_model: await registeredModelJson(call, model) };
  throw new AppError(
    'VALIDATION_FAILED',
    `new_name: renaming is not supported: a model's name is recorded in its versions' lineage, serving's configuration and event streams; create ${input.new_name} and register its versions from models:/${model.name}/<version>`,
    [{ path: 'new_name', message: 'renaming is not supported' }],
  );
}

export async function updateRegisteredModel(
  call: MlflowCall,
  input: In<'updateRegisteredModel'>,
): Promise<Out<'updateRegisteredModel'>> {
  const model = await modelOrThrow(call, input.name);
  if (input.description !== undefined) {
    actor(call);
    await setModelDescription(call.deps.db, {
      name: model.name,
      description: input.description,
      now: new Date().toISOString(),
    });
    logChange(call, 'registered model description set', { model: model.name });
  }
  return {
    registered_model: await registeredModelJson(call, await modelOrThrow(call, model.name)),
  };
}

/**
 * MLflow deletes the model with its versions. Here each step goes through its audited path:
 * aliases are removed (audited, announced to serving), versions deleted with their unreferenced
 * blobs, then the model row and its tags.
 */
export async function deleteRegisteredModel(
  call: MlflowCall,
  input: In<'deleteRegisteredModel'>,
): Promise<Out<'deleteRegisteredModel'>> {
  const model = await modelOrThrow(call, input.name);
  const principal = actor(call);
  for (const alias of await aliasesOf(call.deps, model.name))
    await removeAlias(
      call.deps,
      { model: model.name, alias: alias.alias, reason: 'registered model deleted (MLflow API)' },
      principal,
    );
  for (;;) {
    const batch = await listVersions(call.deps.db, { model: model.name, limit: 100 });
    if (batch.length === 0) break;
    for (const v of batch)
      await deleteVersion(call.deps, { model: model.name, version: v.version });
  }
  await deleteModelRow(call.deps.db, model.name);
  logChange(call, 'registered model deleted', { model: model.name });
  return {};
}

export async function searchRegisteredModels(
  call: MlflowCall,
  input: In<'searchRegisteredModels'>,
): Promise<Out<'searchRegisteredModels'>> {
  const clauses = parseFilter(input.filter, ['name', 'tags']);
  checkOrderBy(input.order_by, ['name', 'name asc']);
  const limit = input.max_results ?? 100;
  let cursor = decodeToken(
    input.page_token,
    (v): v is { after: string } =>
      typeof v === 'object' && v !== null && typeof (v as { after?: unknown }).after === 'string',
  )?.after;
  const exact = exactValue(clauses, 'name');
  const fragment = nameFragment(clauses);
  const found: Model[] = [];
  let more = false;
  // Tag and pattern clauses are checked here, page by page of the name-ordered query.
  while (found.length < limit) {
    const page = await searchModels(call.deps.db, {
      limit: 200,
      ...(fragment !== undefined ? { nameContains: fragment } : {}),
      ...(exact !== undefined ? { nameContains: exact } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    for (const [i, model] of page.items.entries()) {
      const meta = await metaOf(call.deps, model.name);
      const ok = clauses.every((c) =>
        typeof c.field === 'object'
          ? matches(
              c,
              meta.tags.find(
                (t) =>
                  t.version === MODEL_TAG_VERSION && t.key === (c.field as { tag: string }).tag,
              )?.value,
            )
          : matches(c, model.name),
      );
      cursor = model.name;
      if (ok) found.push(model);
      if (found.length === limit) {
        more = i < page.items.length - 1 || page.nextCursor !== null;
        break;
      }
    }
    if (found.length === limit || page.nextCursor === null) break;
  }
  const registered_models = [];
  for (const model of found) registered_models.push(await registeredModelJson(call, model));
  return {
    ...(registered_models.length > 0 ? { registered_models } : {}),
    ...(more && cursor !== undefined ? { next_page_token: encodeToken({ after: cursor }) } : {}),
  };
}

const STAGES = ['none', 'staging', 'production', 'archived'];

/** Every version is stage "None": asking for None gives the latest, any other stage nothing. */
export async function getLatestVersions(
  call: MlflowCall,
  input: In<'getLatestVersions'>,
): Promise<Out<'getLatestVersions'>> {
  const model = await modelOrThrow(call, input.name);
  for (const stage of input.stages ?? [])
    if (!STAGES.includes(stage.toLowerCase()))
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid Model Version stage: ${stage}. Value must be one of None, Staging, Production, Archived.`,
        [{ path: 'stages', message: 'unknown stage' }],
      );
  const stages = input.stages ?? [];
  const wantsNone =
    stages.length === 0 || stages.some((s) => s.toLowerCase() === NO_STAGE.toLowerCase());
  const [latest] = wantsNone
    ? await listVersions(call.deps.db, { model: model.name, limit: 1 })
    : [];
  if (!latest) return {};
  return { model_versions: [toMlflowVersion(latest, await metaOf(call.deps, model.name))] };
}

export async function setRegisteredModelTag(
  call: MlflowCall,
  input: In<'setRegisteredModelTag'>,
): Promise<Out<'setRegisteredModelTag'>> {
  const model = await modelOrThrow(call, input.name);
  actor(call);
  await setModelTag(call.deps.db, {
    model: model.name,
    version: MODEL_TAG_VERSION,
    key: input.key,
    value: input.value,
  });
  logChange(call, 'registered model tag set', { model: model.name, key: input.key });
  return {};
}

export async function deleteRegisteredModelTag(
  call: MlflowCall,
  input: In<'deleteRegisteredModelTag'>,
): Promise<Out<'deleteRegisteredModelTag'>> {
  const model = await modelOrThrow(call, input.name);
  actor(call);
  const deleted = await deleteModelTag(call.deps.db, {
    model: model.name,
    version: MODEL_TAG_VERSION,
    key: input.key,
  });
  if (!deleted)
    throw new AppError(
      'NOT_FOUND',
      `Registered model ${model.name} has no tag ${JSON.stringify(input.key)}`,
    );
  logChange(call, 'registered model tag deleted', { model: model.name, key: input.key });
  return {};
}
