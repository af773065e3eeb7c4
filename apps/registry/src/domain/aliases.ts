import {
  AppError,
  type Alias,
  type AliasAuditEntry,
  type GateVerdict,
  type ProducedBy,
} from '@mlops/contracts';
import {
  aliasAudit,
  deleteAlias,
  getAlias,
  getPolicy,
  listAliases,
  previousAliasVersion,
  setAlias,
} from '@mlops/storage';
import { stopwatch } from '@mlops/config';
import { ADMIN_PRINCIPAL, requireScope, type Principal } from '../auth';
import type { RegistryDeps } from '../deps';
import { compareSignatures } from './compatibility';
import { publishEvent } from './events';
import { evaluateGate, verdictDetails, verdictSummary } from './gate';
import { gateSidesFor } from './gate-sides';
import { getVersionOrThrow } from './versions';

/** The alias whose breaking-signature moves need an acknowledgment. */
export const SERVING_ALIAS = 'champion';

export interface MoveRequest {
  model: string;
  alias: string;
  version: number;
  force?: boolean | undefined;
  acknowledgeBreaking?: boolean | undefined;
  reason?: string | undefined;
  /** The pipeline step making the move, already checked (domain/producers); kept with it. */
  producedBy?: ProducedBy | null | undefined;
}

/**
 * Move an alias through its checks, in order: the version exists; `force` needs admin; the
 * promotion gate (when a policy exists) against the version the alias points at now; for
 * `champion`, a breaking input signature needs `acknowledgeBreaking`. The move is conditional
 * on the alias still pointing at the baseline the gate used, and audited with the verdict.
 */
export async function moveAlias(
  deps: RegistryDeps,
  input: MoveRequest,
  principal: Principal = ADMIN_PRINCIPAL,
): Promise<Alias & { verdict: GateVerdict | null }> {
  if (input.force) requireScope(principal, 'admin', 'force (bypassing the promotion gate)');
  const took = stopwatch();
  const candidate = await getVersionOrThrow(deps, input.model, input.version);
  const current = await getAlias(deps.db, input.model, input.alias);
  if (current?.version === input.version) return { ...current, verdict: null };
  const baseline = current ? await getVersionOrThrow(deps, input.model, current.version) : null;
  took.mark('readMs');

  const policy = await getPolicy(deps.db, input.model, input.alias);
  const sides = policy ? await gateSidesFor(deps, policy, candidate, baseline) : null;
  const verdict = policy && sides ? evaluateGate(policy, sides.candidate, sides.baseline) : null;
  took.mark('gateMs');
  if (verdict && !verdict.passed && !input.force) {
    deps.metrics.gateRefusals.inc({ source: verdict.source });
    deps.logger.info(
      {
        model: input.model,
        alias: input.alias,
        version: input.version,
        actor: principal.name,
        metric: verdict.metric,
        source: verdict.source,
        candidate: verdict.candidate,
        claimed: verdict.claimed,
      },
      'promotion gate refused a move',
    );
    throw new AppError(
      'PRECONDITION_FAILED',
      `the promotion gate of ${input.model}@${input.alias} refused v${input.version}: ${verdictSummary(
        verdict,
      )}; see the checks in details; improve the model, change the policy, or force it (admin)`,
      verdictDetails(verdict),
    );
  }

  if (input.alias === SERVING_ALIAS && baseline && !input.acknowledgeBreaking && !input.force) {
    const compat = compareSignatures(candidate.manifest.signature, baseline.manifest.signature, {
      alias: input.alias,
      version: baseline.version,
    });
    if (compat.breaking) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `v${input.version} breaks the input signature of ${input.model}@${input.alias} (v${baseline.version}); clients would fail: pass acknowledgeBreaking to promote it anyway`,
        compat.changes
          .filter((c) => c.kind !== 'added_optional')
          .map((c) => ({ path: `signature.inputs.${c.feature}`, message: c.message })),
      );
    }
  }

  const move = await setAlias(deps.db, {
    model: input.model,
    alias: input.alias,
    version: input.version,
    expectedFrom: current?.version ?? null,
    actor: principal.name,
    now: new Date().toISOString(),
    verdict,
    reason: input.reason ?? null,
    forced: Boolean(input.force && verdict && !verdict.passed),
    producedBy: input.producedBy ?? null,
  });
  took.mark('storeMs');
  if (!move.alias) throw new AppError('INTERNAL', 'alias was not stored');
  if (move.changed) await announce(deps, input.model, input.alias, move.from, move.to);
  took.mark('announceMs');
  deps.logger.debug(
    { model: input.model, alias: input.alias, version: input.version, ...took.marks },
    'alias move timings',
  );
  return { ...move.alias, verdict };
}

/** One call back to where the alias pointed before its latest move; no gate (it is a restore). */
export async function rollbackAlias(
  deps: RegistryDeps,
  input: { model: string; alias: string; reason?: string | undefined },
  principal: Principal = ADMIN_PRINCIPAL,
): Promise<Alias & { from: number }> {
  const current = await getAlias(deps.db, input.model, input.alias);
  if (!current)
    throw new AppError(
      'NOT_FOUND',
      `model ${input.model} has no alias "${input.alias}" to roll back`,
    );
  const { previous } = await previousAliasVersion(deps.db, input.model, input.alias);
  if (previous === null) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `${input.model}@${input.alias} has no previous version to roll back to; set it with aliases.set`,
    );
  }
  await getVersionOrThrow(deps, input.model, previous);
  const move = await setAlias(deps.db, {
    model: input.model,
    alias: input.alias,
    version: previous,
    expectedFrom: current.version,
    actor: principal.name,
    now: new Date().toISOString(),
    reason: input.reason ?? `rollback from v${current.version}`,
  });
  if (!move.alias) throw new AppError('INTERNAL', 'alias was not stored');
  if (move.changed) await announce(deps, input.model, input.alias, move.from, move.to);
  return { ...move.alias, from: current.version };
}

export async function removeAlias(
  deps: RegistryDeps,
  input: { model: string; alias: string; reason?: string | undefined },
  principal: Principal = ADMIN_PRINCIPAL,
): Promise<{ deleted: boolean }> {
  const move = await deleteAlias(deps.db, {
    model: input.model,
    alias: input.alias,
    actor: principal.name,
    now: new Date().toISOString(),
    reason: input.reason ?? null,
  });
  if (move.changed) await announce(deps, input.model, input.alias, move.from, null);
  return { deleted: move.changed };
}

export async function aliasHistoryPage(
  deps: RegistryDeps,
  input: { model: string; alias?: string | undefined; limit: number; cursor?: number | undefined },
): Promise<{ items: AliasAuditEntry[]; nextCursor: number | null }> {
  const items = await aliasAudit(deps.db, {
    model: input.model,
    limit: input.limit + 1,
    ...(input.alias !== undefined ? { alias: input.alias } : {}),
    ...(input.cursor !== undefined ? { before: input.cursor } : {}),
  });
  const page = items.slice(0, input.limit);
  return { items: page, nextCursor: items.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}

async function announce(
  deps: RegistryDeps,
  model: string,
  alias: string,
  from: number | null,
  to: number | null,
): Promise<void> {
  await publishEvent(deps, { type: 'alias.moved', model, alias, from, to });
}

export function aliasesOf(deps: RegistryDeps, model: string): Promise<Alias[]> {
  return listAliases(deps.db, model);
}
