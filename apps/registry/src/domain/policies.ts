import {
  AppError,
  type promotionPolicySchema,
  type GateVerdict,
  type PromotionPolicy,
  type SignatureCompatibility,
} from '@mlops/contracts';
import { getAlias, getPolicy, getVersionCompatibility, upsertPolicy } from '@mlops/storage';
import type { Principal } from '../auth';
import type { RegistryDeps } from '../deps';
import { compareSignatures } from './compatibility';
import { getDataset } from './datasets/queries';
import { evaluateGate } from './gate';
import { gateSidesFor } from './gate-sides';
import { getVersionOrThrow } from './versions';

type PolicyInput = ReturnType<typeof promotionPolicySchema.parse>;

/**
 * Store a policy. A pinned evaluation dataset is resolved now (its latest version when none is
 * given): a later upload under the same name — any `write` token can make one — never changes
 * the benchmark the gate reads.
 */
export async function savePolicy(
  deps: RegistryDeps,
  input: PolicyInput,
  principal: Principal,
): Promise<PromotionPolicy> {
  const pinned = input.evaluationDataset
    ? await getDataset(deps, input.evaluationDataset.name, input.evaluationDataset.version)
    : null;
  return upsertPolicy(deps.db, {
    ...input,
    requirePlatformMetrics: input.requirePlatformMetrics || pinned !== null,
    evaluationDataset: pinned ? { name: pinned.name, version: pinned.version } : null,
    updatedBy: principal.name,
    updatedAt: new Date().toISOString(),
  });
}

export async function policyOf(
  deps: RegistryDeps,
  model: string,
  alias: string,
): Promise<PromotionPolicy | null> {
  return (await getPolicy(deps.db, model, alias)) ?? null;
}

/** Dry run of the gate for moving `alias` to `version` now (null: no policy). */
export async function evaluatePolicy(
  deps: RegistryDeps,
  input: { model: string; alias: string; version: number },
): Promise<GateVerdict | null> {
  const policy = await getPolicy(deps.db, input.model, input.alias);
  if (!policy) return null;
  const candidate = await getVersionOrThrow(deps, input.model, input.version);
  const current = await getAlias(deps.db, input.model, input.alias);
  const baseline = current ? await getVersionOrThrow(deps, input.model, current.version) : null;
  const sides = await gateSidesFor(deps, policy, candidate, baseline);
  return evaluateGate(policy, sides.candidate, sides.baseline);
}

/** Recorded compatibility, or a fresh comparison with the version `alias` points at now. */
export async function compatibilityOf(
  deps: RegistryDeps,
  input: { model: string; version: number; alias?: string | undefined },
): Promise<SignatureCompatibility | null> {
  const candidate = await getVersionOrThrow(deps, input.model, input.version);
  if (input.alias === undefined) {
    const recorded = await getVersionCompatibility(deps.db, input.model, input.version);
    if (recorded === undefined)
      throw new AppError('NOT_FOUND', `model ${input.model} has no version ${input.version}`);
    // Recorded before changes carried their effect, by rules that called every removal
    // breaking: compared again with the same version, by the rules serving follows now.
    const against = recorded?.against;
    if (!against || recorded.changes.every((c) => c.effect !== undefined)) return recorded;
    const reference = await getVersionOrThrow(deps, input.model, against.version).catch(() => null);
    return reference
      ? compareSignatures(candidate.manifest.signature, reference.manifest.signature, against)
      : recorded; // the reference is gone: the recorded verdict is all there is
  }
  const current = await getAlias(deps.db, input.model, input.alias);
  if (!current) return null;
  const reference = await getVersionOrThrow(deps, input.model, current.version);
  return compareSignatures(candidate.manifest.signature, reference.manifest.signature, {
    alias: input.alias,
    version: reference.version,
  });
}
