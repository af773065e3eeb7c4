import { AppError, retrainHistorySchema, retrainSwitchSchema } from '@mlops/contracts';
import type { CliContext } from '../context';
import { requestJson } from '../http';
import { printJson, printTable } from '../output';

export interface RetrainingOptions {
  enable?: boolean;
  disable?: boolean;
  reason?: string;
  history?: boolean;
}

/**
 * Show or set whether the monitor may retrain and promote a model on its own (off until a
 * person enables it). Setting needs a token with the `promote` scope.
 */
export async function retraining(
  ctx: CliContext,
  model: string,
  opts: RetrainingOptions,
): Promise<void> {
  if ([opts.enable, opts.disable, opts.history].filter(Boolean).length > 1) {
    throw new AppError('VALIDATION_FAILED', 'give one of --enable, --disable or --history');
  }
  const url = `${ctx.monitorUrl}/v1/models/${encodeURIComponent(model)}/retraining`;
  if (opts.history) return printHistory(ctx, await requestJson(`${url}/history`, {}, ctx.token));
  const answer =
    opts.enable || opts.disable
      ? await requestJson(
          url,
          {
            method: 'PUT',
            body: JSON.stringify({
              enabled: Boolean(opts.enable),
              ...(opts.reason ? { reason: opts.reason } : {}),
            }),
          },
          ctx.token,
        )
      : await requestJson(url, {}, ctx.token);
  const body = retrainSwitchSchema.parse(answer);
  if (ctx.json) return printJson(body);
  printTable([body]);
}

/** One line a retraining: when, why, from which version, the run it started, how it ended. */
function printHistory(ctx: CliContext, answer: unknown): void {
  const body = retrainHistorySchema.parse(answer);
  if (ctx.json) return printJson(body);
  printTable(
    body.retraining.map((r) => ({
      requested: r.requestedAt,
      trigger: r.trigger,
      from: r.fromVersion,
      run: r.pipelineRunId ? `pipeline ${r.pipelineRunId}` : r.runId,
      status: r.status,
      version: r.version,
      detail: r.detail ?? r.reason,
    })),
  );
}
