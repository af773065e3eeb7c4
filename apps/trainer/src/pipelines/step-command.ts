import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RegistryClient } from '@mlops/client';
import type { Logger } from '@mlops/config';
import {
  conditionsHold,
  formatIssues,
  pipelineStepSpecSchema,
  resolvePipelineParameters,
  resolveValue,
  type PipelineStepSpec,
} from '@mlops/contracts';
import { cacheKeyOf, implOf } from './step-kit';
import { StepInputError, type StepOutputs } from './steps/types';

/** The arguments `mlops pipeline compile --target argo` gives each pod (see docs/pipelines-argo.md). */
export interface StepCommand {
  spec: PipelineStepSpec;
  params: Record<string, string>;
  upstream: Record<string, StepOutputs>;
  runKey: string;
  outputs: string;
  cache: boolean;
}

const pairs = (flag: string, values: string[] | undefined): [string, string][] =>
  (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new StepInputError(`--${flag} ${v}: expected name=value`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });

/** Parses the step command's argv; a bad argument throws StepInputError naming it. */
export function parseStepCommand(argv: string[]): StepCommand {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        spec: { type: 'string' },
        param: { type: 'string', multiple: true },
        upstream: { type: 'string', multiple: true },
        'run-key': { type: 'string' },
        outputs: { type: 'string' },
        'no-cache': { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    throw new StepInputError(err instanceof Error ? err.message : String(err));
  }
  for (const flag of ['spec', 'run-key', 'outputs'] as const) {
    if (!values[flag]) throw new StepInputError(`--${flag}: required`);
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(values.spec!, 'base64').toString('utf8'));
  } catch {
    throw new StepInputError('--spec: not base64 of a JSON object');
  }
  const spec = pipelineStepSpecSchema.safeParse(decoded);
  if (!spec.success) throw new StepInputError(`--spec: ${formatIssues(spec.error)}`);
  const upstream: Record<string, StepOutputs> = {};
  for (const [step, json] of pairs('upstream', values.upstream)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new StepInputError(`--upstream ${step}: the outputs are not JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new StepInputError(`--upstream ${step}: the outputs must be a JSON object`);
    upstream[step] = parsed as StepOutputs;
  }
  return {
    spec: spec.data,
    params: Object.fromEntries(pairs('param', values.param)),
    upstream,
    runKey: values['run-key']!,
    outputs: values.outputs!,
    cache: !values['no-cache'],
  };
}

export interface StepCommandDeps {
  client: RegistryClient;
  dataDir: string;
  logger: Logger;
}

/**
 * Runs the one step as the BullMQ executor would, without a registry run: parameters converted
 * by their declared types, `with` resolved from them and the upstream outputs, the step cache
 * consulted and filled under the executor's key, the outputs written to `--outputs`.
 */
export async function runStepCommand(
  cmd: StepCommand,
  deps: StepCommandDeps,
): Promise<{ outputs: StepOutputs; cached: boolean; cacheKey: string | null }> {
  const { spec } = cmd;
  const { step } = spec;
  const def = { name: spec.pipeline, parameters: spec.parameters, steps: [step] };
  const params = resolvePipelineParameters(def, cmd.params);
  if (!params.ok) throw new StepInputError(`--param: ${params.issues.join('; ')}`);
  const scope = { params: params.value, outputs: cmd.upstream };
  // Argo evaluated the same conditions before starting the pod; disagreeing is a bug to surface.
  if (!conditionsHold(step, scope))
    throw new StepInputError(`step ${step.id}: its when conditions do not hold`);
  const inputs = resolveValue(step.with, scope) as StepOutputs;
  const impl = implOf(step.uses);
  const cacheKey = cmd.cache ? await cacheKeyOf(step, impl, inputs, deps) : null;
  const api = deps.client.api.pipelines;
  let outputs: StepOutputs | null = null;
  if (cacheKey) outputs = (await api.cacheLookup.mutate({ key: cacheKey })).outputs;
  const cached = outputs !== null;
  if (outputs === null) {
    deps.logger.info({ runKey: cmd.runKey, stepId: step.id, uses: step.uses }, 'step running');
    outputs = await impl.run({
      client: deps.client,
      inputs,
      // No registry run holds resume state: a retried pod starts the step over.
      state: null,
      saveState: () => Promise.resolve(),
      // Argo stops the pod when the workflow is stopped.
      cancelled: () => Promise.resolve(false),
      dataDir: deps.dataDir,
      logger: deps.logger,
      runId: cmd.runKey,
      stepId: step.id,
      // No registry pipeline run exists for an Argo workflow: nothing to name as producer.
      producer: null,
    });
    if (cacheKey) {
      await api.cacheStore.mutate({
        key: cacheKey,
        uses: step.uses,
        outputs,
        runKey: cmd.runKey,
        stepId: step.id,
      });
    }
  }
  fs.mkdirSync(path.dirname(cmd.outputs), { recursive: true });
  fs.writeFileSync(cmd.outputs, JSON.stringify(outputs));
  return { outputs, cached, cacheKey };
}
