import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { blockingAnomalies, datasetFormatSchema, resourceNameSchema } from '@mlops/contracts';
import { parseInputs, StepInputError, type StepContext, type StepImpl } from './types';

const ingestInputs = z.object({
  dataset: resourceNameSchema,
  /** A file under the worker's data directory (relative to it, or absolute inside it). */
  path: z.string().min(1).max(1_000),
  format: datasetFormatSchema.optional(),
  categorical: z.string().max(10_000).optional(),
});

/** The file, refused when it resolves outside the data directory (`..`, symlinks). */
async function fileUnder(dataDir: string, p: string): Promise<string> {
  const root = await fs.realpath(dataDir);
  const file = await fs.realpath(path.resolve(root, p)).catch(() => {
    throw new StepInputError(`with.path: ${p} does not exist under the data directory`);
  });
  if (!file.startsWith(root + path.sep)) {
    throw new StepInputError(`with.path: ${p} is outside the data directory`);
  }
  return file;
}

/** Uploads a file through the registry's own upload (schema inference, profile, validation). */
export const ingestStep: StepImpl = {
  async run(ctx) {
    const input = parseInputs(ingestInputs, ctx.inputs);
    const file = await fileUnder(ctx.dataDir, input.path);
    const format = input.format ?? (path.extname(file).slice(1) as 'csv' | 'json' | 'jsonl');
    const ds = await ctx.client.uploadDataset(input.dataset, await fs.readFile(file), {
      format,
      ...(input.categorical ? { categorical: input.categorical } : {}),
      // The registry records this step as the new version's producer (lineage), and does not
      // fire this pipeline's own `on.dataset` for the version: no loop.
      ...(ctx.producer
        ? { pipelineRunId: ctx.producer.pipelineRunId, pipelineStepId: ctx.producer.stepId }
        : {}),
    });
    return { dataset: ds.name, version: ds.version, sha256: ds.hash, rows: ds.rowCount };
  },
  async contentHashes(ctx) {
    const input = parseInputs(ingestInputs, ctx.inputs);
    const bytes = await fs.readFile(await fileUnder(ctx.dataDir, input.path));
    return [createHash('sha256').update(bytes).digest('hex')];
  },
};

const datasetRef = z.object({
  dataset: resourceNameSchema,
  version: z.number().int().positive().optional(),
  /** Fail the step on anomalies the dataset's policy blocks training on (default true). */
  failOnBlocking: z.boolean().default(true),
});

async function datasetHash(ctx: Pick<StepContext, 'client' | 'inputs'>): Promise<string[]> {
  const input = parseInputs(datasetRef, ctx.inputs);
  const ds = await ctx.client.api.datasets.get.query({
    name: input.dataset,
    ...(input.version ? { version: input.version } : {}),
  });
  return [ds.hash];
}

/**
 * The registry validated the version against the previous one at ingest; this step reads
 * those anomalies and the dataset's policy, and fails when the policy blocks training on them.
 */
export const validateStep: StepImpl = {
  async run(ctx) {
    const input = parseInputs(datasetRef, ctx.inputs);
    const ds = await ctx.client.api.datasets.get.query({
      name: input.dataset,
      ...(input.version ? { version: input.version } : {}),
    });
    const policy = await ctx.client.api.datasets.getPolicy.query({ name: input.dataset });
    const anomalies = ds.validation?.anomalies ?? [];
    const blocking = blockingAnomalies(anomalies, policy?.blockTrainingOnAnomalies ?? 'off');
    if (blocking.length > 0 && input.failOnBlocking) {
      throw new StepInputError(
        `${ds.name} v${ds.version} has ${blocking.length} blocking anomalies: ${blocking
          .slice(0, 5)
          .map((a) => `${a.column ?? '(rows)'} ${a.kind}`)
          .join(', ')}`,
      );
    }
    return {
      dataset: ds.name,
      version: ds.version,
      passed: blocking.length === 0,
      anomalies: anomalies.length,
      blocking: blocking.length,
    };
  },
  contentHashes: datasetHash,
};
