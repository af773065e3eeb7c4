import { AppError, type Model } from '@mlops/contracts';
import { getModel, listModels } from '@mlops/storage';
import type { RegistryDeps } from '../deps';

export async function getModelOrThrow(deps: RegistryDeps, name: string): Promise<Model> {
  const model = await getModel(deps.db, name);
  if (!model)
    throw new AppError(
      'NOT_FOUND',
      `model ${name} does not exist; it appears with its first version`,
    );
  return model;
}

export function listAllModels(deps: RegistryDeps, limit: number): Promise<Model[]> {
  return listModels(deps.db, { limit });
}
