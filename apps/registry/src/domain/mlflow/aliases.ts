import { AppError, type ModelVersion } from '@mlops/contracts';
import { moveAlias, removeAlias } from '../aliases';
import { resolveAlias } from '../versions';
import { actor, checkName, type In, type MlflowCall, type Out } from './context';
import { metaOf, toMlflowVersion } from './mapping';
import { versionOrThrow } from './model-versions';
import { modelOrThrow } from './registered-models';

// MLflow's aliases are ours: a set goes through the promotion gate and both are audited in
// alias_history and announced to serving, as `mlops promote` and aliases.set/delete are.

/** Through the promotion gate and the alias audit, as `mlops promote` and aliases.set. */
export async function setRegisteredModelAlias(
  call: MlflowCall,
  input: In<'setRegisteredModelAlias'>,
): Promise<Out<'setRegisteredModelAlias'>> {
  const v = await versionOrThrow(call, input.name, input.version);
  await moveAlias(
    call.deps,
    {
      model: v.model,
      alias: checkName(input.alias, 'alias'),
      version: v.version,
      reason: 'MLflow API',
    },
    actor(call),
  );
  return {};
}

export async function deleteRegisteredModelAlias(
  call: MlflowCall,
  input: In<'deleteRegisteredModelAlias'>,
): Promise<Out<'deleteRegisteredModelAlias'>> {
  const model = await modelOrThrow(call, input.name);
  await removeAlias(
    call.deps,
    { model: model.name, alias: checkName(input.alias, 'alias'), reason: 'MLflow API' },
    actor(call),
  );
  return {};
}

export async function getModelVersionByAlias(
  call: MlflowCall,
  input: In<'getModelVersionByAlias'>,
): Promise<Out<'getModelVersionByAlias'>> {
  const model = await modelOrThrow(call, input.name);
  let v: ModelVersion;
  try {
    v = await resolveAlias(call.deps, model.name, checkName(input.alias, 'alias'));
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND')
      throw new AppError('NOT_FOUND', `Registered model alias ${input.alias} not found.`);
    throw err;
  }
  return { model_version: toMlflowVersion(v, await metaOf(call.deps, model.name)) };
}
