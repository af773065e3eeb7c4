// The program of a training thread (see ./host.ts). Everything that runs TF.js kernels happens
// here — backend, model, fit, evaluation, checkpoint and bundle encoding — so a batch that
// blocks for minutes blocks only this thread, never the job's lock renewal. It trains one job
// at a time, then waits for the next: the host keeps a thread its job left clean (./pool.ts).
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { disposeCheckpoint } from '../train/checkpoint';
import type { EpochReport } from '../train/fit';
import { collectRows, toRecords } from '../train/load-data';
import { since, trainPipeline, type TrainInput, type TrainOutput } from '../train/pipeline';
import { trainImagePipeline } from '../train/image-pipeline';
import { trainStreaming } from '../train/stream';
import { JobChannels, describeError, type HostChannel } from './channel';
import {
  transferables,
  type ThreadHealth,
  type ThreadInit,
  type ThreadRequest,
  type TrainRequest,
} from './protocol';
import { CheckpointSchedule, openRunCheckpoint } from './resume';
import { warmUpTraining } from './warm-up';

async function train(host: HostChannel, request: TrainRequest): Promise<TrainOutput> {
  const { spec, schema, runId } = request;
  const resume = openRunCheckpoint(request.resume, runId, (level, msg, fields) =>
    host.log(level, msg, fields),
  );
  const schedule = new CheckpointSchedule(
    request.checkpointIntervalMs,
    spec.hyperparameters.epochs,
  );
  const common: Omit<TrainInput, 'rows'> = {
    spec,
    schema,
    // Posted, not awaited: the next epoch starts while the host reports this one. A report the
    // registry refuses (the run was cancelled) comes back as a `cancel`, like any cancel; the
    // turn taken here lets that (or an interrupt) in before the next epoch starts.
    onEpochEnd: async (report: EpochReport) => {
      host.post({ type: 'epoch', report });
      await host.receive();
    },
    control: {
      ...(resume ? { resume } : {}),
      checkpoint: {
        runId,
        due: (epoch) => schedule.due(epoch),
        save: async (bytes, epoch) => {
          const reply = await host.call<Extract<ThreadRequest, { type: 'checkpoint' }>>(
            { type: 'checkpoint', epoch, bytes },
            transferables([bytes]),
          );
          if (reply.ok) schedule.stored();
        },
      },
      signal: host.signal,
      interrupt: () => host.interrupted(),
    },
  };
  // The rows come from the host chunk by chunk, not from a registry client of the thread's own:
  // the registry is the host's (injected, with its token; in-process in tests), and pulling
  // chunks keeps memory bounded — a streamed pass holds two chunks, never the dataset.
  const rows = () => toRecords(schema, host.rows(), request.keep);
  try {
    if (request.images)
      return await trainImagePipeline({
        ...common,
        images: request.images,
        ...(request.base ? { base: request.base } : {}),
      });
    if (request.streaming) return await trainStreaming({ ...common, rows });
    const loading = performance.now();
    const all = await collectRows(rows());
    const rowsSeconds = since(loading);
    const output = await trainPipeline({ ...common, rows: all });
    return { ...output, seconds: { rows: rowsSeconds, ...output.seconds } };
  } finally {
    if (resume) disposeCheckpoint(resume);
  }
}

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const channels = new JobChannels(port);
  try {
    const { backend: requested } = workerData as ThreadInit;
    const backend = await initBackend(requested).catch((err: unknown) => {
      // A backend this trainer cannot load will not appear on a retry either.
      throw new AppError('VALIDATION_FAILED', err instanceof Error ? err.message : String(err));
    });
    // Compile the training path while nobody waits yet (a spare thread is idle here).
    if (process.env.TRAINER_WARM_UP !== 'false') {
      // An optimisation only: a warm-up that fails must not fail the job that follows.
      await warmUpTraining().catch((err: unknown) => {
        channels.channel(1).log('warn', 'training warm-up failed; the fit starts on cold code', {
          err: err instanceof Error ? err.message : String(err),
        });
      });
    }
    port.postMessage({ type: 'ready', backend });
  } catch (err) {
    // Never ready: the host terminates the thread once it has this.
    port.postMessage({ type: 'failed', error: describeError(err) });
    return;
  }
  // What a job may leave behind is measured against the thread before its first job.
  const baseline = getTf().memory().numTensors;
  const health = (): ThreadHealth => ({
    leakedTensors: getTf().memory().numTensors - baseline,
    heapUsedBytes: v8.getHeapStatistics().used_heap_size,
  });
  for (let job = 1; ; job++) {
    const host = channels.channel(job);
    try {
      const output = await train(host, await host.trainRequest());
      // The bundle files (weights can be large) are moved to the host, not copied.
      host.post(
        { type: 'done', output, health: health() },
        transferables(output.files.map((f) => f.bytes)),
      );
    } catch (err) {
      host.post({ type: 'failed', error: describeError(err), health: health() });
    }
    // Then the next job's `train`, unless the host ends the thread (cancel, crash, a leak).
  }
}

if (!parentPort) throw new Error('train.thread runs as a worker thread (see thread/host.ts)');
// Not awaited: main never returns while the thread waits for jobs, and a module whose top-level
// await never settles would hold up whatever imports it (the test fixtures).
void main(parentPort);
