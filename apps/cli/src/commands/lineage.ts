import { AppError } from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { renderLineage } from './lineage-tree';

export interface LineageOptions {
  depth: string;
}

/**
 * `mlops lineage <uri>`: a model version (`models:/iris@champion`, `models:/iris/3`), a dataset
 * version (`iris@2`) or a run id, back to the data and steps that made it and forward to what
 * was made from it. The registry parses the uri, so the CLI and the API accept the same ones.
 */
export async function lineage(ctx: CliContext, uri: string, opts: LineageOptions): Promise<void> {
  const depth = Number(opts.depth);
  if (!Number.isInteger(depth) || depth < 1 || depth > 8)
    throw new AppError(
      'VALIDATION_FAILED',
      `--depth must be an integer from 1 to 8, got "${opts.depth}"`,
    );
  const graph = await ctx.client.api.lineage.get.query({ uri, depth });
  if (ctx.json) return printJson(graph);
  process.stdout.write(renderLineage(graph));
}
