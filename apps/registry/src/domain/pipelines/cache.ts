import type { JsonValue } from '@mlops/contracts';
import { putCachedStep } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { takeLiveCachedStep } from './cache-liveness';

type Outputs = Record<string, JsonValue>;

/**
 * The step cache for a step run outside a registry run (the Argo step command): the same table
 * and keys as claimStep/completeStep, so a step that ran on either engine is reused by the other.
 */
export async function lookupCachedStep(
  deps: RegistryDeps,
  input: { key: string },
): Promise<{ outputs: Outputs | null }> {
  const hit = await takeLiveCachedStep(deps, input.key, new Date().toISOString());
  return { outputs: hit ?? null };
}

export async function storeCachedStep(
  deps: RegistryDeps,
  input: { key: string; uses: string; outputs: Outputs; runKey: string; stepId: string },
): Promise<{ ok: true }> {
  await putCachedStep(
    deps.db,
    {
      key: input.key,
      uses: input.uses,
      outputs: input.outputs,
      runId: input.runKey,
      stepId: input.stepId,
    },
    new Date().toISOString(),
  );
  return { ok: true };
}
