import { AppError, blockTrainingSchema, scalarColumns } from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { inferenceLines } from './inference-lines';
import { validationLines } from './validation-lines';

/** `mlops dataset <name> [version]`: one version — its columns, inference and anomalies. */
export async function showDataset(
  ctx: CliContext,
  name: string,
  version: string | undefined,
): Promise<void> {
  const n = version === undefined ? undefined : Number(version);
  if (n !== undefined && !(Number.isInteger(n) && n > 0))
    throw new AppError(
      'VALIDATION_FAILED',
      `version must be a positive integer, got "${version}"`,
      [{ path: 'version', message: 'not a positive integer' }],
    );
  const ds = await ctx.client.api.datasets.get.query({ name, ...(n ? { version: n } : {}) });
  if (ctx.json) return printJson(ds);
  process.stdout.write(
    [
      `dataset ${ds.name} v${ds.version}: ${ds.rowCount} rows, sha256 ${ds.hash}` +
        (ds.profile.duplicateRows !== undefined
          ? `, ${ds.profile.duplicateRows} duplicate rows`
          : ''),
      ...inferenceLines(scalarColumns(ds.schema.columns), ds.profile.inference),
      ...validationLines(ds.validation),
    ].join('\n') + '\n',
  );
}

/** `mlops dataset-policy <name> [off|warning|error]`: show, or set (admin), the training block. */
export async function datasetPolicy(
  ctx: CliContext,
  name: string,
  level: string | undefined,
): Promise<void> {
  if (level === undefined) {
    const policy = await ctx.client.api.datasets.getPolicy.query({ name });
    if (ctx.json) return printJson(policy);
    process.stdout.write(
      policy
        ? `dataset ${name}: blockTrainingOnAnomalies=${policy.blockTrainingOnAnomalies} (set by ${policy.updatedBy} at ${policy.updatedAt})\n`
        : `dataset ${name}: no policy (training is never refused for anomalies)\n`,
    );
    return;
  }
  const parsed = blockTrainingSchema.safeParse(level);
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', `level must be off, warning or error, got "${level}"`, [
      { path: 'blockTrainingOnAnomalies', message: 'must be off, warning or error' },
    ]);
  const policy = await ctx.client.api.datasets.setPolicy.mutate({
    name,
    blockTrainingOnAnomalies: parsed.data,
  });
  if (ctx.json) return printJson(policy);
  process.stdout.write(
    `dataset ${name}: blockTrainingOnAnomalies=${policy.blockTrainingOnAnomalies}\n`,
  );
}
