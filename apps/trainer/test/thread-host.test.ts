import { beforeAll, describe, expect, it } from 'vitest';
import { AppError, canonicalRowLine, type TrainingSpecInput } from '@mlops/contracts';
import { pino } from 'pino';
import { createLogger } from '@mlops/config';
import { cancelledError } from '../src/cancellations';
import { trainInThread, type ThreadTrainingOptions } from '../src/thread/host';
import { resolveColumns } from '../src/train/columns';
import type { EpochReport } from '../src/train/fit';
import { blobRows, blobSchema, spec } from './data';

// The host of a training thread (thread/host.ts) driving the real thread program, without BullMQ
// or a registry: what the job gives it is in the test's hands.

beforeAll(() => {
  // Threads inherit the environment: no warm-up fit before each test's own.
  process.env.TRAINER_WARM_UP = 'false';
});

const lines = blobRows(150).map((row) => canonicalRowLine(blobSchema.columns, row));

/** The dataset's JSON Lines in blocks of whole lines, as the registry client yields them. */
async function* blocks(extra: string[] = []): AsyncIterable<Uint8Array> {
  const all = [...lines, ...extra];
  for (let at = 0; at < all.length; at += 50) {
    await Promise.resolve();
    yield Buffer.from(all.slice(at, at + 50).join(''));
  }
}

/** Train the blobs in a thread of its own; `epochs` and the job's callbacks as the test says. */
function train(
  hyperparameters: TrainingSpecInput['hyperparameters'],
  opts: Partial<ThreadTrainingOptions> = {},
  checkpointIntervalMs = 0,
) {
  const runSpec = spec({ task: 'classification', target: 'species', hyperparameters });
  const { features, target } = resolveColumns(runSpec, blobSchema);
  return trainInThread({
    backend: 'cpu',
    start: () =>
      Promise.resolve({
        runId: 'run_thread_host',
        spec: runSpec,
        schema: blobSchema,
        keep: [...features.map((f) => f.name), target.name],
        streaming: false,
        // By default a checkpoint after every epoch but the last: each shows its epoch ended.
        checkpointIntervalMs,
      }),
    rows: () => blocks(),
    saveCheckpoint: () => Promise.resolve(true),
    reportEpoch: () => Promise.resolve(),
    logger: createLogger('thread-host-test', 'silent'),
    signal: new AbortController().signal,
    ...opts,
  });
}

describe('training thread host: epoch reports do not hold the fit up', () => {
  it('the next epoch starts while the last report is on its way; all are delivered in order', async () => {
    const checkpointed: number[] = [];
    let epochTwoEnded: () => void = () => undefined;
    const epochTwo = new Promise<void>((resolve) => (epochTwoEnded = resolve));
    const delivered: number[] = [];
    let inFlight = 0;
    let overlapped = false;
    const trained = await train(
      { epochs: 4, earlyStoppingPatience: 0 },
      {
        saveCheckpoint: (_bytes, epoch) => {
          checkpointed.push(epoch);
          if (epoch === 2) epochTwoEnded();
          return Promise.resolve(true);
        },
        reportEpoch: async (report: EpochReport) => {
          overlapped ||= inFlight > 0;
          inFlight++;
          try {
            // Epoch 1's report is answered only once epoch 2 has ended: a fit that waited for
            // its reports would wait here for ever (the timer turns that into a failure).
            if (report.epoch === 1) {
              await Promise.race([
                epochTwo,
                new Promise((_, reject) =>
                  setTimeout(() => reject(new Error('the fit waited for its report')), 20_000),
                ),
              ]);
            }
            delivered.push(report.epoch);
          } finally {
            inFlight--;
          }
        },
      },
    );
    expect(trained.output.fit.epochsRun).toBe(4);
    expect(checkpointed).toEqual([1, 2, 3]);
    expect(overlapped).toBe(false);
    // In order, the newest of those that piled up, and the last one before the training settled.
    expect(delivered[0]).toBe(1);
    expect(delivered.at(-1)).toBe(4);
    expect([...delivered].sort((a, b) => a - b)).toEqual(delivered);
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it('a report the registry refuses (run cancelled) stops the fit with that error', async () => {
    const reported: number[] = [];
    const training = train(
      { epochs: 1_000, earlyStoppingPatience: 0 },
      {
        reportEpoch: (report) => {
          reported.push(report.epoch);
          // What ProgressReporter makes of the registry's PRECONDITION_FAILED.
          return report.epoch >= 2
            ? Promise.reject(cancelledError('run_thread_host', 'run is cancelled'))
            : Promise.resolve();
        },
      },
    );
    await expect(training).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/was cancelled/) as string,
    });
    // Stopped within a few epochs of the refusal, and nothing was reported after it.
    expect(reported.at(-1)).toBeLessThan(100);
    expect(reported.filter((epoch) => epoch >= 2)).toHaveLength(1);
  });

  it('the thread receives that stop between two short epochs, without being terminated', async () => {
    // Epochs far shorter than TF.js's 125 ms yield, and no checkpoint (whose ack is a turn of
    // the thread's event loop): only the turn the fit takes after each epoch lets the cancel in.
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const training = train(
      { epochs: 10_000, earlyStoppingPatience: 0 },
      {
        logger,
        cancelGraceMs: 3_000,
        reportEpoch: (report) =>
          report.epoch >= 2
            ? Promise.reject(cancelledError('run_thread_host', 'run is cancelled'))
            : Promise.resolve(),
      },
      3_600_000,
    );
    await expect(training).rejects.toThrow(/was cancelled/);
    expect(warnings.join('')).not.toMatch(/did not stop in time/);
  });

  it('a report that fails after the last epoch still fails the training', async () => {
    const training = train(
      { epochs: 3, earlyStoppingPatience: 0 },
      {
        reportEpoch: (report) =>
          report.epoch === report.epochs
            ? Promise.reject(cancelledError('run_thread_host', 'cancelled at the end'))
            : Promise.resolve(),
      },
    );
    await expect(training).rejects.toThrow(/cancelled at the end/);
  });
});

describe('training thread host: rows', () => {
  it('the thread checks the rows it is forwarded and names a malformed one', async () => {
    const training = train(
      { epochs: 2 },
      { rows: () => blocks(['{"not":"cells"}\n', `${lines[0]}`]) },
    );
    const err: unknown = await training.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'INTERNAL',
      message: 'row 151 of the stored dataset is not a JSON array of cells',
    });
  });
});
