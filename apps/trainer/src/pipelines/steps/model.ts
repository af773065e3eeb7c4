import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  aliasNameSchema,
  bundleFilesDigestText,
  resourceNameSchema,
  trainingSpecSchema,
  type JsonValue,
} from '@mlops/contracts';
import type { RegistryClient } from '@mlops/client';
import { parseInputs, waitFor, type StepContext, type StepImpl } from './types';

const versionInputs = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
});

async function bundleDigest(client: RegistryClient, model: string, version: number) {
  const mv = await client.api.versions.get.query({ model, version });
  return createHash('sha256').update(bundleFilesDigestText(mv.manifest.files)).digest('hex');
}

async function datasetHash(client: RegistryClient, name: string, version?: number) {
  const ds = await client.api.datasets.get.query({ name, ...(version ? { version } : {}) });
  return ds.hash;
}

/** This step as the producer of what it makes; the registry checks it is running (lineage). */
function producedBy(ctx: StepContext): { producedBy?: { pipelineRunId: string; stepId: string } } {
  return ctx.producer ? { producedBy: ctx.producer } : {};
}

function metricsOf(m: Record<string, number | null | undefined>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number')) as Record<
    string,
    JsonValue
  >;
}

/**
 * `runs.create`, then waits for the run to end. The run's id is saved as step state first, so
 * an attempt after a worker died waits on that run instead of training a second one.
 */
export const trainStep: StepImpl = {
  async run(ctx) {
    const spec = parseInputs(trainingSpecSchema, ctx.inputs);
    let runId = typeof ctx.state?.runId === 'string' ? ctx.state.runId : undefined;
    if (!runId) {
      const run = await ctx.client.api.runs.create.mutate({ ...spec, ...producedBy(ctx) });
      runId = run.id;
      await ctx.saveState({ runId });
    }
    const id = runId;
    try {
      const run = await waitFor(ctx, async () => {
        const r = await ctx.client.api.runs.get.query({ id });
        return r.status === 'queued' || r.status === 'running' ? undefined : r;
      });
      if (run.status !== 'completed' || run.modelVersion === null) {
        throw new Error(`training run ${id} ${run.status}: ${run.error ?? 'no version'}`);
      }
      return {
        runId: id,
        model: run.modelName,
        version: run.modelVersion,
        metrics: metricsOf(run.metrics ?? {}),
      };
    } catch (err) {
      if (
        (err as Error).name === 'StepCancelledError' ||
        (err as Error).message.includes('cancelled')
      ) {
        await ctx.client.api.runs.cancel
          .mutate({ id, reason: 'pipeline run cancelled' })
          .catch(() => undefined);
      }
      throw err;
    }
  },
  async contentHashes({ client, inputs }) {
    const spec = parseInputs(trainingSpecSchema, inputs);
    return [await datasetHash(client, spec.dataset.name, spec.dataset.version)];
  },
};

const evaluateInputs = versionInputs.extend({
  dataset: resourceNameSchema,
  datasetVersion: z.number().int().positive().optional(),
});

/** `versions.evaluate` (platform metrics on a dataset version), waiting for the result. */
export const evaluateStep: StepImpl = {
  async run(ctx) {
    const input = parseInputs(evaluateInputs, ctx.inputs);
    let id = typeof ctx.state?.evaluationId === 'string' ? ctx.state.evaluationId : undefined;
    if (!id) {
      const ev = await ctx.client.api.versions.evaluate.mutate({
        model: input.model,
        version: input.version,
        dataset: {
          name: input.dataset,
          ...(input.datasetVersion ? { version: input.datasetVersion } : {}),
        },
      });
      id = ev.id;
      await ctx.saveState({ evaluationId: id });
    }
    const evId = id;
    const ev = await waitFor(ctx, async () => {
      const e = await ctx.client.api.evaluations.get.query({ id: evId });
      return e.status === 'completed' || e.status === 'failed' ? e : undefined;
    });
    if (ev.status === 'failed') throw new Error(`evaluation ${evId} failed: ${ev.error ?? ''}`);
    return { evaluationId: evId, metrics: metricsOf(ev.metrics) };
  },
  async contentHashes({ client, inputs }) {
    const input = parseInputs(evaluateInputs, inputs);
    return [
      await bundleDigest(client, input.model, input.version),
      await datasetHash(client, input.dataset, input.datasetVersion),
    ];
  },
};

const gateInputs = versionInputs.extend({ alias: aliasNameSchema.default('champion') });

/**
 * The alias's promotion policy as a dry run (`policies.evaluate`): `passed` is the verdict, or
 * true when no policy guards the alias. The alias move itself runs the gate again.
 */
export const gateStep: StepImpl = {
  async run(ctx) {
    const input = parseInputs(gateInputs, ctx.inputs);
    const verdict = await ctx.client.api.policies.evaluate.query(input);
    return {
      passed: verdict?.passed ?? true,
      policy: verdict !== null,
      metric: verdict?.metric ?? null,
      candidate: verdict?.candidate ?? null,
      baseline: verdict?.baseline ?? null,
      baselineVersion: verdict?.baselineVersion ?? null,
    };
  },
  async contentHashes({ client, inputs }) {
    const input = parseInputs(gateInputs, inputs);
    const policy = await client.api.policies.get.query({ model: input.model, alias: input.alias });
    return [await bundleDigest(client, input.model, input.version), JSON.stringify(policy)];
  },
};

const aliasInputs = versionInputs.extend({
  alias: aliasNameSchema,
  reason: z.string().max(500).optional(),
});

/** `aliases.set` — the deploy step; never cached (it changes what is served). */
export const setAliasStep: StepImpl = {
  async run(ctx: StepContext) {
    const input = parseInputs(aliasInputs, ctx.inputs);
    const a = await ctx.client.api.aliases.set.mutate({
      ...input,
      reason: input.reason ?? `pipeline run ${ctx.runId} step ${ctx.stepId}`,
      ...producedBy(ctx),
    });
    return { model: input.model, alias: input.alias, version: a.version };
  },
};
