import type { CliContext } from '../context';
import { printJson } from '../output';

/** Cancel a queued or running run; the trainer stops within one batch. */
export async function cancel(
  ctx: CliContext,
  runId: string,
  reason: string | undefined,
): Promise<void> {
  const run = await ctx.client.api.runs.cancel.mutate({ id: runId, ...(reason ? { reason } : {}) });
  if (ctx.json) return printJson(run);
  process.stdout.write(`run ${run.id} ${run.status}\n`);
}
