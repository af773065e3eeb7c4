import {
  AppError,
  customStepName,
  producedBySchema,
  type DatasetUploadQuery,
  type ProducedBy,
} from '@mlops/contracts';
import {
  getPipelineRun,
  getRun,
  producersOf,
  recordProducer,
  type ProducedKind,
} from '@mlops/storage';
import type { RegistryDeps } from '../deps';

/** The built-in step kinds that may produce each artifact (custom steps may produce any). */
const PRODUCING_USES: Record<ProducedKind, string[]> = {
  'dataset-version': ['ingest'],
  'training-run': ['train'],
  'model-version': ['train'],
  'alias-move': ['set-alias'],
};

function bad(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
}

/**
 * A caller's claim that a pipeline step is producing `kind`, checked before anything is made:
 * the step run exists, is running now, and is of a kind that makes such an artifact. Anything
 * else is a 400 naming `<field>.pipelineRunId` or `<field>.stepId` — a record is never taken
 * on trust, so lineage cannot be pinned on a step that did not do the work.
 */
export async function checkProducer(
  deps: RegistryDeps,
  by: ProducedBy | undefined,
  kind: ProducedKind,
  fields: { run: string; step: string },
): Promise<ProducedBy | null> {
  if (!by) return null;
  const rec = await getPipelineRun(deps.db, by.pipelineRunId);
  if (!rec) throw bad(fields.run, `no pipeline run ${by.pipelineRunId}`);
  const step = rec.run.steps.find((s) => s.stepId === by.stepId);
  if (!step) throw bad(fields.step, `pipeline run ${by.pipelineRunId} has no step ${by.stepId}`);
  if (step.status !== 'running' || rec.run.status !== 'running') {
    throw bad(
      fields.step,
      `step ${by.stepId} of pipeline run ${by.pipelineRunId} is ${step.status === 'running' ? `in a ${rec.run.status} run` : step.status}, not running`,
    );
  }
  if (customStepName(step.uses) === null && !PRODUCING_USES[kind].includes(step.uses)) {
    throw bad(fields.step, `step ${by.stepId} is a ${step.uses} step: it does not make a ${kind}`);
  }
  return by;
}

/** The `producedBy` of runs.create / aliases.set, checked (fields `producedBy.*`). */
export function checkProducedBy(
  deps: RegistryDeps,
  by: ProducedBy | undefined,
  kind: ProducedKind,
): Promise<ProducedBy | null> {
  return checkProducer(deps, by, kind, {
    run: 'producedBy.pipelineRunId',
    step: 'producedBy.stepId',
  });
}

/** The upload's `?pipelineRunId=&pipelineStepId=`: both or neither, well-formed, checked. */
export async function checkUploadProducer(
  deps: RegistryDeps,
  query: DatasetUploadQuery,
): Promise<ProducedBy | null> {
  const { pipelineRunId, pipelineStepId } = query;
  if (pipelineRunId === undefined && pipelineStepId === undefined) return null;
  if (pipelineRunId === undefined)
    throw bad('query.pipelineRunId', 'is required with pipelineStepId');
  if (pipelineStepId === undefined)
    throw bad('query.pipelineStepId', 'is required with pipelineRunId');
  const parsed = producedBySchema.safeParse({ pipelineRunId, stepId: pipelineStepId });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === 'stepId' ? 'query.pipelineStepId' : 'query.pipelineRunId';
    throw bad(field, issue?.message ?? 'is invalid');
  }
  return checkProducer(deps, parsed.data, 'dataset-version', {
    run: 'query.pipelineRunId',
    step: 'query.pipelineStepId',
  });
}

/** Records a checked producer (no-op for null); the first record of an artifact wins. */
export async function recordProduced(
  deps: RegistryDeps,
  by: ProducedBy | null,
  kind: ProducedKind,
  ref: string,
): Promise<void> {
  if (!by) return;
  await recordProducer(deps.db, { kind, ref, ...by, recordedAt: new Date().toISOString() });
}

/**
 * A version registered from a run was made by the step that made the run (a sweep trial's: the
 * step that made its parent). Copied rather than derived, so every artifact answers for itself.
 */
export async function inheritRunProducer(
  deps: RegistryDeps,
  runId: string,
  version: { model: string; version: number },
): Promise<void> {
  const run = await getRun(deps.db, runId);
  const ids = [runId, ...(run?.parentRunId ? [run.parentRunId] : [])];
  const found = await producersOf(deps.db, 'training-run', ids);
  const p = ids.map((id) => found.get(id)).find((x) => x !== undefined);
  if (!p) return;
  await recordProducer(deps.db, {
    kind: 'model-version',
    ref: `${version.model}/${version.version}`,
    pipelineRunId: p.pipelineRunId,
    stepId: p.stepId,
    recordedAt: new Date().toISOString(),
  });
}
