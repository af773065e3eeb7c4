import type { Job } from 'bullmq';
import { DelayedError, UnrecoverableError } from 'bullmq';
import {
  AppError,
  trainJobPayloadSchema,
  testCounts,
  trainingSpecSchema,
  type Metrics,
  type RunRows,
  type TrainJobPayload,
} from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { BackendRequest } from '@mlops/ml/backend';
import type { TrainerMetrics } from './metrics';
import type { TrainerRegistry } from './registry';
import { cancelledError, type Cancellations } from './cancellations';
import { asAppError, isPermanent } from './errors';
import { ProgressReporter } from './progress';
import { trainInThread, type ThreadTrainingOptions } from './thread/host';
import type { ThreadSource } from './thread/training-thread';
import { defaultFeatures } from './train/default-features';
import { fetchRunDataset } from './train/dataset';
import { loadImageExamples, resolveImageColumns } from './train/images';
import { fetchTransferBase, type TransferBaseBundle } from './train/transfer-base';
import { FitInterrupted } from './train/fit';
import type { OnnxOutcome } from './train/onnx';
import type { TrainOutput } from './train/pipeline';
import { buildManifest, uploadBundleFiles } from './train/package';
import { CheckpointSaver, downloadRunCheckpoint } from './train/resume';
import { codeRevision } from './train/revision';
import { childTrialOutcomes, finishSweep, type TrialOutcome } from './sweep';

export interface TrainJobResult {
  runId: string;
  version: number | null;
  metrics: Metrics;
  skipped?: string;
  /** Epochs an earlier attempt had done (from its checkpoint). */
  resumedFromEpoch?: number;
  /** Sweep trials: this one's outcome plus those its flow children passed up. */
  trials?: TrialOutcome[];
  /** A sweep trial that failed for good: why (its job completes to pass its lane's results on). */
  failed?: string;
}

export interface ProcessorDeps {
  registry: TrainerRegistry;
  logger: Logger;
  /** Backend used when the spec says `auto` (TRAINER_BACKEND). */
  backend: BackendRequest;
  metrics?: TrainerMetrics;
  /** Minimum time between two progress reports (the last epoch is always reported). */
  progressIntervalMs?: number;
  /** Minimum time between two checkpoints (default 10 s; 0 = after every epoch). */
  checkpointIntervalMs?: number;
  /** Delivers `run.cancelled` to the running fit; without it, cancel is noticed on progress. */
  cancellations?: Cancellations;
  /** Datasets with more rows than this are streamed epoch by epoch (bounded memory). */
  streamRowsAbove?: number;
  /** Aborts when the process shuts down: the fit checkpoints its epoch and hands the job back. */
  shutdown?: AbortSignal;
  /** Bounds on how long a training thread may take to stop before it is terminated. */
  threadGrace?: Pick<ThreadTrainingOptions, 'cancelGraceMs' | 'shutdownGraceMs'>;
  /** The training thread's program (default: thread/train.thread); tests wrap it. */
  threadEntry?: URL;
  /** Where jobs get their threads and leave them: the worker's pool (thread/pool.ts); default a new one each. */
  threads?: ThreadSource;
}

/**
 * What became of the ONNX export: verified (the bundle has `model.onnx`), or skipped with the
 * reason — a warning unless it was turned off; the version is registered either way.
 */
function logOnnx(logger: Logger, runId: string, onnx: OnnxOutcome | undefined): void {
  if (!onnx) return;
  if ('artifact' in onnx)
    logger.info(
      { runId, verification: onnx.artifact.verification, seconds: onnx.seconds },
      'ONNX export verified against TF.js',
    );
  else if (onnx.seconds === undefined)
    logger.info({ runId, reason: onnx.skipped }, 'ONNX export skipped');
  else
    logger.warn(
      { runId, reason: onnx.skipped, seconds: onnx.seconds },
      'ONNX export failed: the version is registered without model.onnx',
    );
}

/** The BullMQ processor of `train` jobs: one run from spec to registered version. */
export function createTrainProcessor(deps: ProcessorDeps) {
  const { registry, logger } = deps;
  const interval = deps.progressIntervalMs ?? 1_000;

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
    // A sweep's own job runs after all its trials: it registers the best one.
    if (spec.sweep && !run.parentRunId) {
      return finishSweep(registry, logger, job, run, spec.sweep);
    }
    const dataset = await fetchRunDataset(registry, run, spec);
    // An image dataset trains on its decoded images; a tabular one on its scalar columns.
    const imageColumns = resolveImageColumns(spec, dataset.schema);
    const resolved = imageColumns ? undefined : defaultFeatures(spec, dataset, logger, runId);
    const keep = resolved ? [...resolved.features, spec.target] : [];
    // The thread resolves the same columns again: it gets the features decided here.
    const threadSpec = resolved ? { ...spec, features: resolved.features } : spec;
    const streaming = !imageColumns && dataset.rowCount > (deps.streamRowsAbove ?? 100_000);
    const saver = new CheckpointSaver(registry, logger);
    const progress = new ProgressReporter(job, runId, { ...deps, intervalMs: interval, saver });
    const abort = deps.cancellations?.track(runId) ?? new AbortController();
    let trained: Awaited<ReturnType<typeof trainInThread>>;
    // Set once the thread is given the base: the version's lineage names it.
    let transferBase: TransferBaseBundle['ref'] | undefined;
    try {
      // Every TF.js step runs in a thread of this job's own (thread/host.ts); this thread keeps
      // the I/O — registry, checkpoints, progress — and BullMQ's lock renewal, never blocked.
      trained = await trainInThread({
        backend: spec.backend === 'auto' ? deps.backend : spec.backend,
        start: async (backend) => {
          await registry.api.runs.start.mutate({ id: runId, backend }).catch((err: unknown) => {
            const appErr = asAppError(err);
            // Not startable any more (finished since we read it): a retry will not change that.
            throw appErr.code === 'PRECONDITION_FAILED'
              ? new AppError('CONFLICT', appErr.message)
              : appErr;
          });
          logger.info(
            { runId, dataset: dataset.name, version: dataset.version, backend, streaming },
            'training started',
          );
          const resume = await downloadRunCheckpoint(registry, run, logger);
          const base = await fetchTransferBase(registry, spec);
          const images = imageColumns
            ? await loadImageExamples(
                registry,
                dataset,
                imageColumns,
                spec.image,
                base?.decoding.resize,
              )
            : undefined;
          transferBase = base?.ref;
          return {
            ...(images ? { images } : {}),
            ...(base ? { base } : {}),
            runId,
            spec: threadSpec,
            schema: dataset.schema,
            keep,
            streaming,
            checkpointIntervalMs: deps.checkpointIntervalMs ?? 10_000,
            ...(resume ? { resume } : {}),
          };
        },
        rows: () => registry.datasetLines(dataset.name, dataset.version),
        saveCheckpoint: (bytes, epoch) => saver.save(bytes, epoch),
        // Not awaited by the fit: the host sends these one at a time while it trains.
        reportEpoch: (report) => progress.report(report),
        logger,
        signal: abort.signal,
        ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
        ...deps.threadGrace,
        ...(deps.threadEntry ? { entry: deps.threadEntry } : {}),
        ...(deps.threads ? { threads: deps.threads } : {}),
      });
    } finally {
      deps.cancellations?.release(runId, abort);
    }
    const { output, backend } = trained;
    // Cancelled after the last batch: registering a version now would resurrect the run.
    if (abort.signal.aborted) throw cancelledError(runId);
    // The thread's epoch reports are all delivered by now (trainInThread settles after them);
    // an early stop may still owe the registry its last epoch, which the throttle skipped.
    await progress.flush();
    logger.info(
      {
        runId,
        metrics: output.metrics,
        sizes: output.sizes,
        seconds: output.seconds,
        ...(output.modelTests ? { modelTests: testCounts(output.modelTests) } : {}),
        ...(output.cachedFeatures ? { cachedFeatures: output.cachedFeatures } : {}),
        fit: { ...output.fit, history: undefined },
      },
      'trained',
    );
    logOnnx(logger, runId, output.onnx);

    const files = await uploadBundleFiles(registry, output.files);
    const manifest = buildManifest({
      run,
      spec,
      output,
      files,
      backend,
      codeRevision: codeRevision(),
      ...(transferBase ? { base: transferBase } : {}),
      ...(resolved ? { skippedFeatures: resolved.skipped } : {}),
    });
    // A sweep trial keeps its bundle files and metrics; the sweep registers the best trial.
    if (run.parentRunId) {
      await registry.api.runs.complete.mutate({
        id: runId,
        metrics: output.metrics,
        rows: runRows(output.sizes),
      });
      logger.info({ runId, sweep: run.parentRunId, metrics: output.metrics }, 'trial trained');
      return {
        runId,
        version: null,
        metrics: output.metrics,
        trials: [
          {
            runId,
            metrics: output.metrics,
            manifest,
            ...(output.modelTests ? { modelTests: output.modelTests } : {}),
          },
        ],
      };
    }
    const version = await registry.api.versions.create.mutate({
      model: spec.modelName,
      manifest,
      runId,
    });
    await registry.api.runs.complete.mutate({
      id: runId,
      metrics: output.metrics,
      version: version.version,
      rows: runRows(output.sizes),
      ...(output.modelTests ? { modelTests: output.modelTests } : {}),
    });
    logger.info({ runId, model: spec.modelName, version: version.version }, 'version registered');
    return {
      runId,
      version: version.version,
      metrics: output.metrics,
      resumedFromEpoch: output.fit.resumedFromEpoch,
    };
  }

  return async function processTrainJob(
    job: Job<TrainJobPayload>,
    token?: string,
  ): Promise<TrainJobResult> {
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
      // A trial forwards what the earlier trials of its lane passed up (see sweepFlow).
      if (job.parentKey) {
        result.trials = [...(result.trials ?? []), ...(await childTrialOutcomes(job))];
      }
      endTimer?.();
      if (!result.skipped) deps.metrics?.jobsCompleted.inc();
      return result;
    } catch (err) {
      if (err instanceof FitInterrupted && token) {
        // Shutting down: hand the job back without spending an attempt; the next worker to take
        // it resumes from the checkpoint just written.
        logger.info({ runId, epoch: err.epoch }, 'shutting down: job handed back after checkpoint');
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
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
      // A trial that failed for good still hands up what the earlier trials of its lane passed
      // to it: a failed job hands its parent nothing, and those trials' bundles would be lost to
      // the sweep. The run itself is failed above; the job completes.
      if (lastAttempt && job.parentKey) {
        return {
          runId,
          version: null,
          metrics: {},
          failed: appErr.message,
          trials: await childTrialOutcomes(job),
        };
      }
      if (permanent) throw new UnrecoverableError(appErr.message);
      throw err;
    }
  };
}

/** The split sizes as the run record keeps them (rows without a target are dropped). */
function runRows(sizes: TrainOutput['sizes']): RunRows {
  return {
    train: sizes.train,
    validation: sizes.validation,
    test: sizes.test,
    droppedNullTarget: sizes.dropped,
  };
}
