import { AppError, type Evaluation } from '@mlops/contracts';
import type { CliContext } from '../context';
import { resolveVersionArgs } from '../model-ref';
import { formatMetrics, printJson } from '../output';

export interface EvaluateOptions {
  /** `name` or `name:version` of a registered dataset with the version's columns. */
  dataset: string;
  /** Return once queued instead of waiting for the trainer. */
  wait: boolean;
  timeout: string;
}

/**
 * Ask the platform to measure a version on a registered dataset (platform metrics, what
 * promotion gates read), and wait for the trainer's answer. A version trained on the platform
 * has them already; an imported one needs this before a gate that requires them lets it pass.
 */
export async function evaluate(
  ctx: CliContext,
  first: string,
  second: string | undefined,
  opts: EvaluateOptions,
): Promise<void> {
  const { model, version: n } = await resolveVersionArgs(ctx, first, second);
  const [name = '', at] = opts.dataset.split(':');
  const datasetVersion = at === undefined ? undefined : Number(at.replace(/^v/, ''));
  if (datasetVersion !== undefined && !(Number.isInteger(datasetVersion) && datasetVersion >= 1))
    throw new AppError(
      'VALIDATION_FAILED',
      `--dataset must be name or name:version, got "${opts.dataset}"`,
    );
  let evaluation = await ctx.client.api.versions.evaluate.mutate({
    model,
    version: n,
    dataset: { name, ...(datasetVersion !== undefined ? { version: datasetVersion } : {}) },
  });
  if (opts.wait) evaluation = await waitForEvaluation(ctx, evaluation, Number(opts.timeout) * 1000);
  if (ctx.json) return printJson(evaluation);
  const on = `${evaluation.dataset.name} v${evaluation.dataset.version}`;
  if (evaluation.status === 'completed') {
    process.stdout.write(
      `✓ ${model} v${n} on ${on} (${evaluation.rows ?? '?'} rows), platform metrics: ${formatMetrics(evaluation.metrics)}\n`,
    );
  } else if (evaluation.status === 'failed') {
    throw new AppError(
      'PRECONDITION_FAILED',
      `evaluation ${evaluation.id} failed: ${evaluation.error ?? 'no error recorded'}`,
    );
  } else {
    process.stdout.write(
      `evaluation ${evaluation.id} of ${model} v${n} on ${on} is ${evaluation.status}\n`,
    );
  }
}

async function waitForEvaluation(
  ctx: CliContext,
  evaluation: Evaluation,
  timeoutMs: number,
): Promise<Evaluation> {
  const deadline = Date.now() + timeoutMs;
  let current = evaluation;
  while (current.status === 'queued' || current.status === 'running') {
    if (Date.now() > deadline)
      throw new AppError(
        'UNAVAILABLE',
        `evaluation ${current.id} is still ${current.status}: is a trainer running? Check later with --json`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await ctx.client.api.evaluations.get.query({ id: current.id });
  }
  return current;
}
