import { AppError, isModelUri, parseModelUri } from '@mlops/contracts';
import type { CliContext } from './context';

/**
 * A model version as the CLI is given it: either `<model> <version>` (two arguments, `v3` or
 * `3`) or one MLflow-style URI, `models:/<model>/<version>` or `models:/<model>@<alias>`
 * (contracts parseModelUri), the alias resolved to the version it points at now.
 */
export async function resolveVersionArgs(
  ctx: CliContext,
  first: string,
  second: string | undefined,
): Promise<{ model: string; version: number }> {
  if (isModelUri(first)) {
    const ref = parseModelUri(first, 'model');
    if (ref.alias === undefined) return { model: ref.model, version: ref.version };
    const v = await ctx.client.api.versions.resolve.query({ model: ref.model, alias: ref.alias });
    return { model: ref.model, version: v.version };
  }
  if (second === undefined)
    throw new AppError(
      'VALIDATION_FAILED',
      `give <model> <version> or a models:/<model>/<version> or models:/<model>@<alias> URI; got only "${first}"`,
    );
  return { model: first, version: versionNumber(second) };
}

export function versionNumber(version: string): number {
  const n = Number(version.replace(/^v/, ''));
  if (!/^v?\d+$/.test(version) || !Number.isInteger(n) || n < 1)
    throw new AppError('VALIDATION_FAILED', `version must be a positive integer, got "${version}"`);
  return n;
}
