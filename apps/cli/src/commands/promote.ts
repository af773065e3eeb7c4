import { isModelUri, type GateVerdict } from '@mlops/contracts';
import type { CliContext } from '../context';
import { resolveVersionArgs } from '../model-ref';
import { printJson, printTable } from '../output';

export interface PromoteOptions {
  alias: string;
  force?: boolean;
  acknowledgeBreaking?: boolean;
  reason?: string;
}

/**
 * Move (or create) an alias. Serving follows `champion`, so this is the deployment. When the
 * model has a promotion policy the registry's gate decides; its numbers are printed either way.
 * `promote iris 3 -a champion` or, MLflow-style, `promote models:/iris@challenger champion`
 * (the second argument is then the alias to move, `--alias` when absent).
 */
export async function promote(
  ctx: CliContext,
  first: string,
  second: string | undefined,
  opts: PromoteOptions,
): Promise<void> {
  const byUri = isModelUri(first);
  const { model, version: n } = await resolveVersionArgs(ctx, first, byUri ? undefined : second);
  if (byUri && second !== undefined) opts = { ...opts, alias: second };
  const before = (await ctx.client.api.models.get.query({ name: model })).aliases[opts.alias];
  const result = await ctx.client.api.aliases.set.mutate({
    model,
    version: n,
    alias: opts.alias,
    ...(opts.force ? { force: true } : {}),
    ...(opts.acknowledgeBreaking ? { acknowledgeBreaking: true } : {}),
    ...(opts.reason ? { reason: opts.reason } : {}),
  });
  if (ctx.json) return printJson(result);
  process.stdout.write(
    `${model}@${opts.alias}: ${before === undefined ? 'created' : `v${before}`} → v${result.version}\n`,
  );
  if (result.verdict) process.stdout.write(describeVerdict(result.verdict));
}

/** Move the alias back to where it pointed before its latest move. */
export async function rollback(
  ctx: CliContext,
  model: string,
  opts: { alias: string; reason?: string },
): Promise<void> {
  const result = await ctx.client.api.aliases.rollback.mutate({
    model,
    alias: opts.alias,
    ...(opts.reason ? { reason: opts.reason } : {}),
  });
  if (ctx.json) return printJson(result);
  process.stdout.write(
    `${model}@${opts.alias}: v${result.from} → v${result.version} (rolled back)\n`,
  );
}

/** The audit trail of alias moves, newest first. */
export async function history(
  ctx: CliContext,
  model: string,
  opts: { alias?: string },
): Promise<void> {
  const page = await ctx.client.api.aliases.history.query({
    model,
    limit: 50,
    ...(opts.alias ? { alias: opts.alias } : {}),
  });
  if (ctx.json) return printJson(page);
  printTable(
    page.items.map((e) => ({
      at: e.at,
      alias: e.alias,
      from: e.from === null ? null : `v${e.from}`,
      to: e.to === null ? null : `v${e.to}`,
      actor: e.actor,
      gate: e.verdict ? (e.verdict.passed ? 'passed' : 'refused') : null,
      forced: e.forced ? 'yes' : null,
      reason: e.reason,
    })),
  );
}

function describeVerdict(v: GateVerdict): string {
  const base =
    v.baselineVersion === null
      ? 'no baseline'
      : `v${v.baselineVersion} ${v.metric}=${v.baseline ?? '?'}`;
  const claimed = v.claimed === null ? '' : `; claimed ${v.claimed}`;
  const claim =
    v.source === 'claimed'
      ? ' (claimed)'
      : ` (${v.source === 'platform' ? 'platform' : 'no platform value'}${claimed})`;
  return `  gate ${v.passed ? 'passed' : 'refused'}: v${v.candidateVersion} ${v.metric}=${v.candidate ?? '?'}${claim} vs ${base}\n`;
}
