import { UnrecoverableError, type Job } from 'bullmq';
import { evaluateJobPayloadSchema, type EvaluateJobPayload, type Metrics } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { initBackend, type BackendRequest } from '@mlops/ml/backend';
import { loadBundleModel, modelPredictor } from '@mlops/ml/bundle';
import { asAppError, isPermanent } from '../errors';
import { measure, recordsOf } from './measure';
import type { EvaluatorRegistry } from './registry';

export interface EvaluateProcessorDeps {
  registry: EvaluatorRegistry;
  logger: Logger;
  backend: BackendRequest;
}

export interface EvaluateJobResult {
  evaluationId: string;
  metrics: Metrics;
  rows: number;
  skipped?: string;
}

/**
 * The BullMQ processor of `evaluate` jobs: load the version's bundle (every file verified
 * against its sha256), predict every row of the evaluation's dataset version and report the
 * metrics, which the registry records as the version's platform metrics. Runs on this thread:
 * an evaluation is one forward pass over the rows in batches (measure.ts), unlike training.
 */
export function createEvaluateProcessor(deps: EvaluateProcessorDeps) {
  const { registry, logger } = deps;
  let backend: Promise<unknown> | undefined;

  async function evaluate(id: string): Promise<EvaluateJobResult> {
    const evaluation = await registry.api.evaluations.get.query({ id });
    if (evaluation.status === 'completed' || evaluation.status === 'failed') {
      return { evaluationId: id, metrics: evaluation.metrics, rows: 0, skipped: evaluation.status };
    }
    await registry.api.evaluations.start.mutate({ id });
    const mv = await registry.api.versions.get.query({
      model: evaluation.model,
      version: evaluation.version,
    });
    const dataset = await registry.api.datasets.get.query({
      name: evaluation.dataset.name,
      version: evaluation.dataset.version,
    });
    backend ??= initBackend(deps.backend);
    await backend;
    const files = new Map<string, Uint8Array>();
    for (const f of mv.manifest.files) files.set(f.path, await registry.downloadBlob(f.sha256));
    const model = await loadBundleModel(mv.manifest, files);
    try {
      const result = await measure(
        modelPredictor(model),
        mv.manifest.preprocessing,
        recordsOf(dataset.schema, registry.datasetLines(dataset.name, dataset.version)),
      );
      await registry.api.evaluations.complete.mutate({ id, ...result });
      logger.info(
        {
          evaluationId: id,
          model: mv.model,
          version: mv.version,
          dataset: dataset.name,
          ...result,
        },
        'version evaluated',
      );
      return { evaluationId: id, ...result };
    } finally {
      model.dispose();
    }
  }

  return async function processEvaluateJob(
    job: Job<EvaluateJobPayload>,
  ): Promise<EvaluateJobResult> {
    const payload = evaluateJobPayloadSchema.safeParse(job.data);
    if (!payload.success)
      throw new UnrecoverableError(`bad evaluate job: ${payload.error.message}`);
    const id = payload.data.evaluationId;
    try {
      return await evaluate(id);
    } catch (err) {
      const appErr = asAppError(err);
      const last = isPermanent(appErr) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      logger.warn({ evaluationId: id, err: appErr.message, last }, 'evaluation failed');
      if (!last) throw appErr;
      await registry.api.evaluations.fail
        .mutate({ id, error: appErr.message.slice(0, 4_000) })
        .catch((e: unknown) =>
          logger.warn(
            { evaluationId: id, err: asAppError(e).message },
            'could not record the failure',
          ),
        );
      throw new UnrecoverableError(appErr.message);
    }
  };
}
