import type { JsonValue, PipelineRunStatus, RetrainPolicy, RetrainRecord } from '@mlops/contracts';
import type { Joined } from './quality';
import type { RetrainRegistry } from './retrain';
import { trainingData } from './retrain-data';

/** A pipeline run in one of these is over: the monitor stops polling it. */
export const TERMINAL_PIPELINE_STATUSES: ReadonlySet<PipelineRunStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
]);

/**
 * The trigger key of a drift-started pipeline run: the model and the cooldown window (epoch
 * aligned) the alert fell in. Exported for the tests, which compute the window they expect.
 */
export function driftTriggerKey(model: string, cooldownMs: number, at: number): string {
  const window = cooldownMs > 0 ? Math.floor(at / cooldownMs) : at;
  return `drift:${model}:${cooldownMs}:${window}`;
}

/** The parameter a retraining pipeline declares to train on the data the monitor prepares. */
export const DATASET_VERSION_PARAM = 'datasetVersion';

/**
 * The run's parameters: the policy's, plus — when the pipeline declares `datasetVersion` and the
 * policy leaves it unset — the data the monitor's own retraining would use: the drifting
 * version's dataset at its newest version, with the labeled feedback appended as a new version
 * when the policy says so (`dataset` gets its name when declared too). Not prepared when the
 * window's run exists already: the registry answers it, so no dataset version is added for it.
 */
export async function pipelineParameters(
  registry: RetrainRegistry,
  record: RetrainRecord,
  policy: RetrainPolicy,
  name: string,
  key: string,
  feedback: () => Joined[],
): Promise<Record<string, JsonValue>> {
  const params: Record<string, JsonValue> = { ...policy.pipelineParams };
  const declared = (await registry.api.pipelines.get.query({ name })).definition.parameters;
  if (!Object.hasOwn(declared, DATASET_VERSION_PARAM) || DATASET_VERSION_PARAM in params)
    return params;
  const runs = await registry.api.pipelines.runs.query({ pipeline: name, limit: 100 });
  if (runs.some((r) => r.trigger.key === key)) return params;
  const version = await registry.api.versions.get.query({
    model: record.model,
    version: record.fromVersion,
  });
  const runId = version.manifest.lineage.runId;
  if (runId === null)
    throw new Error(`version ${record.fromVersion} has no run in its lineage: no dataset to use`);
  const previous = await registry.api.runs.get.query({ id: runId });
  const data = await trainingData(
    registry,
    record,
    previous,
    policy.appendFeedback ? feedback() : [],
  );
  record.dataset = data;
  params[DATASET_VERSION_PARAM] = data.version;
  if (Object.hasOwn(declared, 'dataset') && !('dataset' in params)) params.dataset = data.name;
  return params;
}
