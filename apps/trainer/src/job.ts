import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import {
  AppError,
  trainJobPayloadSchema,
  trainingSpecSchema,
  type BackendName,
  type Metrics,
  type RunProgress,
  type TrainJobPayload,
} from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { initBackend, type BackendRequest } from '@mlops/ml/backend';
import type { TrainerMetrics } from './metrics';
import type { TrainerRegistry } from './registry';
import { asAppError, isPermanent } from './errors';
import { resolveColumns } from './train/columns';
import { fetchRunDataset } from './train/dataset';
import type { EpochReport } from './train/fit';
import { collectRows } from './train/load-data';
import { buildManifest, uploadBundleFiles } from './train/package';
import { trainPipeline } from './train/pipeline';
import { codeRevision } from './train/revision';

export interface TrainJobResult {
  runId: string;
  version: number | null;
  metrics: Metrics;
  skipped?: string;
}

export interface ProcessorDeps {
  registry: TrainerRegistry;
  logger: Logger;
  /** Backend used when the spec says `auto` (TRAINER_BACKEND). */
  backend: BackendRequest;
  metrics?: TrainerMetrics;
  /** Minimum time between two progress reports (the last epoch is always reported). */
  progressIntervalMs?: number;
}

async function chooseBackend(
  specBackend: BackendRequest,
  fallback: BackendRequest,
): Promise<BackendName> {
  try {
    return await initBackend(specBackend === 'auto' ? fallback : specBackend);
  } catch (err) {
    // An explicit backend this trainer cannot load will not appear on a retry either.
    throw new AppError('VALIDATION_FAILED', asAppError(err).message);
  }
}

/** The BullMQ processor of `train` jobs: one run from spec to registered version. */
export function createTrainProcessor(deps: ProcessorDeps) {
  const { registry, logger } = deps;
  const interval = deps.progressIntervalMs ?? 1_000;

  async function reportProgress(
    job: Job,
    runId: string,
    report: EpochReport,
    last: { at: number },
  ) {
    deps.metrics?.samplesPerSecond.set(report.samplesPerSecond ?? 0);
    const now = Date.now();
    if (now - last.at < interval && report.epoch < report.epochs) return;
    last.at = now;
    const progress: RunProgress = {
      epoch: report.epoch,
      epochs: report.epochs,
      loss: report.loss,
      valLoss: report.valLoss,
      samplesPerSecond: report.samplesPerSecond,
    };
    try {
      await job.updateProgress({ runId, ...progress });
      await registry.api.runs.progress.mutate({ id: runId, progress });
    } catch (err) {
      const appErr = asAppError(err);
      // The registry refuses progress once the run is no longer running (cancelled, failed
      // elsewhere): stop spending the machine on it.
      if (appErr.code === 'PRECONDITION_FAILED') {
        throw new AppError(
          'CONFLICT',
          `Run ${runId} is no longer running; training stopped (${appErr.message})`,
        );
      }
      // Otherwise progress is informative: losing one report must not lose the training.
      logger.warn({ runId, err: appErr.message }, 'progress report failed');
    }
  }

  async function train(job: Job<TrainJobPayload>, runId: string): Promise<TrainJobResult> {
    const run = await registry.api.runs.get.query({ id: runId });
    // A finished run is never trained again (e.g. a job re-added by hand after completion).
    if (run.status === 'completed' || run.status === 'cancelled' || run.status === 'failed') {
      logger.info({ runId, status: run.status }, 'run already finished; nothing to do');
      return { runId, version: run.modelVersion, metrics: run.metrics, skipped: run.status };
    }
    const parsed = trainingSpecSchema.safeParse(run.spec);
    if (!parsed.success) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Run ${runId} has an invalid training spec: ${parsed.error.message}`,
      );
    }
    const spec = parsed.data;
    const dataset = await fetchRunDataset(registry, run, spec);
    const { features, target } = resolveColumns(spec, dataset.schema);
    const backend = await chooseBackend(spec.backend, deps.backend);
    await registry.api.runs.start.mutate({ id: runId, backend }).catch((err: unknown) => {
      const appErr = asAppError(err);
      // Not startable any more (finished between our read and now): retrying will not change that.
      throw appErr.code === 'PRECONDITION_FAILED'
        ? new AppError('CONFLICT', appErr.message)
        : appErr;
    });
    logger.info(
      { runId, dataset: dataset.name, version: dataset.version, backend },
      'training started',
    );

    const rows = await collectRows(
      dataset.schema,
      registry.datasetRows(dataset.name, dataset.version),
      [...features.map((f) => f.name), target.name],
    );
    const last = { at: 0 };
    const output = await trainPipeline({
      spec,
      schema: dataset.schema,
      rows,
      onEpochEnd: (report) => reportProgress(job, runId, report, last),
    });
    logger.info(
      {
        runId,
        metrics: output.metrics,
        sizes: output.sizes,
        fit: { ...output.fit, history: undefined },
      },
      'trained',
    );

    const files = await uploadBundleFiles(registry, output.files);
    const manifest = buildManifest({
      run,
      spec,
      output,
      files,
      backend,
      codeRevision: codeRevision(),
    });
    const version = await registry.api.versions.create.mutate({
      model: spec.modelName,
      manifest,
      runId,
    });
    await registry.api.runs.complete.mutate({
      id: runId,
      metrics: output.metrics,
      version: version.version,
    });
    logger.info({ runId, model: spec.modelName, version: version.version }, 'version registered');
    return { runId, version: version.version, metrics: output.metrics };
  }

  return async function processTrainJob(job: Job<TrainJobPayload>): Promise<TrainJobResult> {
    const payload = trainJobPayloadSchema.safeParse(job.data);
    if (!payload.success) {
      deps.metrics?.jobsFailed.inc({ reason: 'bad_input' });
      throw new UnrecoverableError(
        `Job ${job.id ?? '?'} has no valid run id: ${payload.error.message}`,
      );
    }
    const { runId } = payload.data;
    const endTimer = deps.metrics?.trainingDuration.startTimer();
    try {
      const result = await train(job, runId);
      endTimer?.();
      if (!result.skipped) deps.metrics?.jobsCompleted.inc();
      return result;
    } catch (err) {
      const appErr = asAppError(err);
      const permanent = isPermanent(appErr);
      const lastAttempt = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      logger.error(
        { runId, code: appErr.code, err: appErr.message, permanent, lastAttempt },
        'training failed',
      );
      const stopped = appErr.code === 'CONFLICT';
      if (lastAttempt) {
        deps.metrics?.jobsFailed.inc({
          reason: stopped ? 'stopped' : permanent ? 'bad_input' : 'error',
        });
      }
      // CONFLICT: the run is already finished elsewhere; failing it would overwrite that state.
      if (lastAttempt && !stopped) {
        await registry.api.runs.fail
          .mutate({ id: runId, error: appErr.message.slice(0, 4_000) })
          .catch((failErr: unknown) => {
            logger.warn(
              { runId, err: asAppError(failErr).message },
              'could not mark the run failed',
            );
          });
      }
      if (permanent) throw new UnrecoverableError(appErr.message);
      throw err;
    }
  };
}
