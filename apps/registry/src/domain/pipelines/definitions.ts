import {
  AppError,
  type PipelineDefinition,
  type Principal,
  type StoredPipeline,
} from '@mlops/contracts';
import { getPipeline, listPipelines, upsertPipeline } from '@mlops/storage';
import { requireScope } from '../../auth';
import type { RegistryDeps } from '../../deps';
import { syncSchedules } from './schedules';

/**
 * Registers (or updates) a definition; zod already checked its graph and triggers at the
 * procedure. Then Redis gets the version's schedulers (and loses those it no longer declares).
 * Triggers start runs later with nobody's token, so declaring one needs what starting a run
 * needs now: `train`, and `promote` when a step moves an alias.
 */
export async function registerPipeline(
  deps: RegistryDeps,
  definition: PipelineDefinition,
  principal: Principal,
): Promise<StoredPipeline> {
  const on = definition.on;
  if ((on?.schedule?.length ?? 0) + (on?.dataset?.length ?? 0) > 0) {
    const what = `pipeline ${definition.name}'s triggers (they start runs)`;
    requireScope(principal, 'train', what);
    if (definition.steps.some((s) => s.uses === 'set-alias')) {
      requireScope(principal, 'promote', `${what}; it moves aliases`);
    }
  }
  const stored = await upsertPipeline(deps.db, definition, new Date().toISOString());
  await syncSchedules(deps, stored);
  return stored;
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
