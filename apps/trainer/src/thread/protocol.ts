import type { BackendName, DatasetSchema, ErrorCode, TrainingSpec } from '@mlops/contracts';
import type { BackendRequest } from '@mlops/ml/backend';
import type { EpochReport } from '../train/fit';
import type { ImageExamples } from '../train/images';
import type { TrainOutput } from '../train/pipeline';
import type { TransferBaseBundle } from '../train/transfer-base';

/**
 * The messages between a train job (the BullMQ worker's thread, "host") and the worker thread
 * that trains it. The thread does every TF.js step; the host keeps all I/O (registry, Redis), so
 * its event loop — and with it the job's lock renewal — never waits on a kernel.
 *
 *   host                                  thread
 *   spawn(workerData: ThreadInit) ──────► initBackend, warm-up
 *        ◄──────────────────────────────── ready {backend}
 *   (the worker's spare gets this far before a job takes it: thread/pool.ts)
 *   runs.start, download checkpoint
 *   train {request} ─────────────────────► build model, fit …
 *        ◄──────── rows {id, pass} ─────── (pull: one chunk at a time per pass)
 *   rows {id, bytes, done} ──────────────►   (bytes: JSON Lines, transferred; see ./rows.ts)
 *        ◄──────── checkpoint {id, bytes} ──   (awaited: ack {id, ok})
 *        ◄──────── epoch {report} ──────────   (not awaited: see ./epoch-reports.ts)
 *   cancel / interrupt ──────────────────► (any time)
 *        ◄──────────────────────────────── done {output, health} | failed {error, health}
 *   (a thread the job left clean waits for the next `train`: thread/pool.ts)
 */

/** workerData of a training thread: what it needs before the run is started. */
export interface ThreadInit {
  backend: BackendRequest;
}

/** The training of one run, sent once the registry has moved the run to `running`. */
export interface TrainRequest {
  runId: string;
  spec: TrainingSpec;
  schema: DatasetSchema;
  /** Columns the run uses: the thread turns canonical rows into records of these. */
  keep: string[];
  /** Stream the dataset epoch by epoch (bounded memory) instead of holding it. */
  streaming: boolean;
  /** Minimum time between two checkpoints (0 = every epoch). */
  checkpointIntervalMs: number;
  /** The checkpoint an earlier attempt left on the run (its buffer is transferred). */
  resume?: Uint8Array;
  /** An image run's decoded examples (the host downloads them; the pixels are transferred). */
  images?: ImageExamples;
  /** A transfer run's base bundle (fetched and verified by the host; its files transferred). */
  base?: TransferBaseBundle;
}

/** An error as it crosses the thread boundary: enough to rebuild the class the host acts on. */
export interface ThreadError {
  message: string;
  /** AppError's code: decides retry vs UnrecoverableError on the host. */
  code?: ErrorCode;
  /** Set for FitInterrupted: the epoch its checkpoint holds. */
  interruptedAt?: number;
  /** The fit stopped because the host sent `cancel`. */
  aborted?: boolean;
}

/**
 * What the host sends, each for one job of the thread: `job` counts the jobs the thread was given
 * (1, 2, …). A thread trains jobs one after another (./pool.ts), and whatever reaches it for a job
 * it has finished (a cancel sent after the last epoch, an answer to a prefetch) is dropped.
 */
export type HostMessage = JobMessage & { job: number };

export type JobMessage =
  | { type: 'train'; request: TrainRequest }
  | { type: 'rows'; id: number; bytes: Uint8Array; done: boolean }
  | { type: 'ack'; id: number; ok: boolean }
  | { type: 'cancel' }
  | { type: 'interrupt' };

/**
 * The state a thread is left in by a job, posted with its outcome: the host keeps the thread for
 * the next job only when the job left no tensor behind (and its heap is not too large).
 */
export interface ThreadHealth {
  /** TF.js tensors alive now, minus those alive before the thread's first job (0 = no leak). */
  leakedTensors: number;
  /** The thread's V8 heap in use, in bytes (garbage not yet collected included). */
  heapUsedBytes: number;
}

export type ThreadMessage =
  | { type: 'ready'; backend: BackendName }
  | { type: 'rows'; id: number; pass: number }
  | { type: 'checkpoint'; id: number; epoch: number; bytes: Uint8Array }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'log'; level: 'info' | 'warn'; msg: string; fields: Record<string, unknown> }
  | { type: 'done'; output: TrainOutput; health: ThreadHealth }
  | { type: 'failed'; error: ThreadError; health?: ThreadHealth };

/** Thread requests the host answers (by `id`), and the answer each gets. */
export type ThreadRequest = Extract<ThreadMessage, { id: number }>;
export type ReplyTo<R extends ThreadRequest> = R extends { type: 'rows' }
  ? Extract<JobMessage, { type: 'rows' }>
  : Extract<JobMessage, { type: 'ack' }>;

/**
 * Canonical rows per `rows` answer (give or take the last block of lines the registry sent):
 * bounds what is in flight to two chunks per pass.
 */
export const ROWS_PER_CHUNK = 4_096;

/**
 * The buffers of `views` that can be moved rather than copied: only those a view spans whole (a
 * view into a larger or pooled buffer would detach bytes it does not own), each listed once.
 */
export function transferables(views: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) {
    if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0) {
      if (v.byteLength === v.buffer.byteLength) out.add(v.buffer);
    }
  }
  return [...out];
}
