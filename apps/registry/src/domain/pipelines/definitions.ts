import { AppError, type PipelineDefinition, type StoredPipeline } from '@mlops/contracts';
import { getPipeline, listPipelines, upsertPipeline } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';

/** Registers (or updates) a definition; zod already checked its graph at the procedure. */
export function registerPipeline(
  deps: RegistryDeps,
  definition: PipelineDefinition,
): Promise<StoredPipeline> {
  return upsertPipeline(deps.db, definition, new Date().toISOString());
}

export function listPipelineDefinitions(
  deps: RegistryDeps,
  limit: number,
): Promise<StoredPipeline[]> {
  return listPipelines(deps.db, limit);
}

export async function getPipelineOrThrow(
  deps: RegistryDeps,
  name: string,
): Promise<StoredPipeline> {
  const p = await getPipeline(deps.db, name);
  if (!p) throw new AppError('NOT_FOUND', `pipeline ${name} is not registered`);
  return p;
}
