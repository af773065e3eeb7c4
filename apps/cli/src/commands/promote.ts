import { AppError } from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson } from '../output';

/** Move (or create) an alias. Serving follows `champion`, so this is the deployment. */
export async function promote(ctx: CliContext, model: string, version: string, alias: string): Promise<void> {
  const n = Number(version.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1) throw new AppError('VALIDATION_FAILED', `version must be a positive integer, got "${version}"`);
  const before = (await ctx.client.api.models.get.query({ name: model })).aliases[alias];
  const result = await ctx.client.api.aliases.set.mutate({ model, version: n, alias });
  if (ctx.json) return printJson(result);
  process.stdout.write(`${model}@${alias}: ${before === undefined ? 'created' : `v${before}`} → v${result.version}\n`);
}
