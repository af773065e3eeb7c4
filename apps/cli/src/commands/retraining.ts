import { AppError, retrainSwitchSchema } from '@mlops/contracts';
import type { CliContext } from '../context';
import { requestJson } from '../http';
import { printJson, printTable } from '../output';

export interface RetrainingOptions {
  enable?: boolean;
  disable?: boolean;
  reason?: string;
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
  if (opts.enable && opts.disable) {
    throw new AppError('VALIDATION_FAILED', 'give --enable or --disable, not both');
  }
  const url = `${ctx.monitorUrl}/v1/models/${encodeURIComponent(model)}/retraining`;
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
