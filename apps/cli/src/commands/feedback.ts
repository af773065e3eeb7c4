import { AppError, feedbackResponseSchema } from '@mlops/contracts';
import type { CliContext } from '../context';
import { requestJson } from '../http';
import { printJson } from '../output';

export interface FeedbackOptions {
  label?: string;
  value?: string;
}

/**
 * Ground truth for one prediction (its id from `mlops predict`). The monitor accepts it only
 * from the token the prediction was served to, which needs the `feedback` scope too.
 */
export async function feedback(
  ctx: CliContext,
  predictionId: string,
  opts: FeedbackOptions,
): Promise<void> {
  if ((opts.label === undefined) === (opts.value === undefined)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'give either --label <class> (classification) or --value <number> (regression)',
    );
  }
  const value = opts.value === undefined ? undefined : Number(opts.value);
  if (value !== undefined && !Number.isFinite(value)) {
    throw new AppError('VALIDATION_FAILED', `--value "${opts.value}" is not a finite number`);
  }
  const body = await requestJson(
    `${ctx.monitorUrl}/v1/feedback`,
    {
      method: 'POST',
      body: JSON.stringify(
        opts.label !== undefined ? { predictionId, label: opts.label } : { predictionId, value },
      ),
    },
    ctx.token,
  );
  const response = feedbackResponseSchema.parse(body);
  if (ctx.json) return printJson(response);
  process.stdout.write(`feedback for ${predictionId} joined (${response.accepted} accepted)\n`);
}
