import { createHash } from 'node:crypto';
import type { RegistryClient } from '@mlops/client';
import {
  NEVER_CACHED_STEP_KINDS,
  canonicalJson,
  customStepName,
  type PipelineStep,
} from '@mlops/contracts';
import { codeRevision } from '../train/revision';
import { builtinCustomSteps } from './steps/custom';
import { ingestStep, validateStep } from './steps/data';
import { evaluateStep, gateStep, setAliasStep, trainStep } from './steps/model';
import { StepInputError, type StepImpl, type StepOutputs } from './steps/types';

/**
 * What both engines share: the step implementations by `uses` and the cache key. The BullMQ
 * processor and the Argo step command (src/pipeline-step.ts) use these alone, so a step keys
 * and runs the same on either and a cached result of one is a hit for the other.
 */
const BUILTIN: Record<string, StepImpl> = {
  ingest: ingestStep,
  validate: validateStep,
  train: trainStep,
  evaluate: evaluateStep,
  gate: gateStep,
  'set-alias': setAliasStep,
};

export function implOf(uses: string, custom: Record<string, StepImpl> = {}): StepImpl {
  const name = customStepName(uses);
  const impl = name === null ? BUILTIN[uses] : (custom[name] ?? builtinCustomSteps[name]);
  if (!impl) throw new StepInputError(`uses: no step "${uses}" is registered in this worker`);
  return impl;
}

/**
 * The step's cache key: sha256 over its kind and declared inputs, the resolved inputs, the
 * code revision and the content its inputs point at. null when the step must run anyway.
 */
export async function cacheKeyOf(
  step: PipelineStep,
  impl: StepImpl,
  inputs: StepOutputs,
  deps: { client: RegistryClient; dataDir: string },
): Promise<string | null> {
  if (!step.cache || NEVER_CACHED_STEP_KINDS.has(step.uses)) return null;
  const content =
    (await impl.contentHashes?.({ client: deps.client, inputs, dataDir: deps.dataDir })) ?? [];
  const text = canonicalJson({
    uses: step.uses,
    with: step.with,
    inputs,
    revision: codeRevision(),
    content,
  });
  return createHash('sha256').update(text).digest('hex');
}
