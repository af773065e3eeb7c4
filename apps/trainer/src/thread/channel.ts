import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MessagePort } from 'node:worker_threads';
import { AppError, type CellValue } from '@mlops/contracts';
import { FitInterrupted } from '../train/epoch-loop';
import type {
  HostMessage,
  JobMessage,
  ReplyTo,
  ThreadError,
  ThreadMessage,
  ThreadRequest,
  TrainRequest,
} from './protocol';
import { RowReader } from './rows';

type Pending = { resolve: (reply: JobMessage) => void; reject: (err: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The reason the thread's signal aborts with when the host sends `cancel`. */
class CancelledByHost extends Error {
  constructor() {
    super('training cancelled by the job');
  }
}

/** Ids of the thread's requests, unique across its jobs. */
let nextRequestId = 1;

/**
 * The training thread's end of the protocol for one job: requests to the host with their
 * replies, the rows of a dataset pass, and the cancel and interrupt the host may send at any
 * time. A thread trains its jobs one after another, each with a channel of its own (see
 * `JobChannels`), so a cancel or an interrupt never outlives the job it was meant for. Messages are
 * handled whenever the thread's event loop turns: the streaming fit takes a turn per batch,
 * TF.js's `model.fit` one per 125 ms of batches, and every fit one per epoch (`receive`) — as
 * often as a fit can stop anyway.
 */
export class HostChannel {
  private readonly controller = new AbortController();
  private readonly pending = new Map<number, Pending>();
  private passes = 0;
  private interruptRequested = false;
  private train:
    { resolve: (request: TrainRequest) => void; reject: (err: Error) => void } | undefined;
  private request: TrainRequest | undefined;

  constructor(
    private readonly port: MessagePort,
    /** Which of the thread's jobs this is (1, 2, …), as the host numbers them. */
    readonly job: number,
  ) {}

  /** Aborts on `cancel`: the fit stops at the end of its current batch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the host asked for a graceful stop (checkpoint this epoch, then hand back). */
  interrupted(): boolean {
    return this.interruptRequested;
  }

  post(msg: ThreadMessage, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(msg, transfer);
  }

  log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    this.post({ type: 'log', level, msg, fields });
  }

  /**
   * Take one turn of this thread's event loop, in which what the host sent meanwhile (`cancel`,
   * `interrupt`) arrives. A fit that never waits for the host gets no other turn while its
   * epochs are short: TF.js yields only every 125 ms of batches, within one `model.fit` call.
   */
  async receive(): Promise<void> {
    await nextTurn();
  }

  /** The run to train, once the host has started it. */
  trainRequest(): Promise<TrainRequest> {
    if (this.request) return Promise.resolve(this.request);
    if (this.signal.aborted) return Promise.reject(this.signal.reason as Error);
    return new Promise((resolve, reject) => {
      this.train = { resolve, reject };
    });
  }

  /** Ask the host and wait for its answer; rejects when the host cancels meanwhile. */
  call<R extends ThreadRequest>(
    msg: DistributiveOmit<R, 'id'>,
    transfer: ArrayBuffer[] = [],
  ): Promise<ReplyTo<R>> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason as Error);
    const id = nextRequestId++;
    return new Promise<ReplyTo<R>>((resolve, reject) => {
      this.pending.set(id, { resolve: (reply) => resolve(reply as ReplyTo<R>), reject });
      this.post({ ...msg, id }, transfer);
    });
  }

  /**
   * One fresh pass over the dataset's canonical rows, pulled chunk by chunk from the host. The
   * next chunk is asked for as soon as one arrives, so fetching overlaps training while at most
   * two chunks of the pass are in this thread — as bytes, each row parsed when it is read.
   */
  async *rows(): AsyncIterable<CellValue[]> {
    const pass = this.passes++;
    const reader = new RowReader();
    const ask = () => {
      const reply = this.call<Extract<ThreadRequest, { type: 'rows' }>>({ type: 'rows', pass });
      // A pass left early (abort, error) never awaits its prefetched chunk: no unhandled reject.
      reply.catch(() => undefined);
      return reply;
    };
    let next = ask();
    for (;;) {
      const chunk = await next;
      if (!chunk.done) next = ask();
      yield* reader.read(chunk.bytes);
      if (chunk.done) return;
    }
  }

  /** A message the host sent for this job. */
  deliver(msg: JobMessage): void {
    switch (msg.type) {
      case 'train':
        this.request = msg.request;
        this.train?.resolve(msg.request);
        return;
      case 'rows':
      case 'ack': {
        const waiting = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        waiting?.resolve(msg);
        return;
      }
      case 'interrupt':
        this.interruptRequested = true;
        return;
      case 'cancel': {
        const reason = new CancelledByHost();
        this.controller.abort(reason);
        for (const waiting of this.pending.values()) waiting.reject(reason);
        this.pending.clear();
        this.train?.reject(reason);
        return;
      }
    }
  }
}

/**
 * The host's messages, each handed to the channel of the job it names: the current job's, or
 * the next one's when the host has begun it (its `train`, or a cancel sent ahead of that). What
 * names a job already finished is dropped: the host sends a cancel when a report fails even
 * after the last epoch, and its answers to requests still in flight when a fit ends.
 */
export class JobChannels {
  private current: HostChannel;

  constructor(private readonly port: MessagePort) {
    this.current = new HostChannel(port, 1);
    port.on('message', (msg: HostMessage) => {
      if (msg.job < this.current.job) return;
      this.channel(msg.job).deliver(msg);
    });
  }

  /** The channel of job `job`: the current one, or a new one once the host moved past it. */
  channel(job: number): HostChannel {
    if (job > this.current.job) this.current = new HostChannel(this.port, job);
    return this.current;
  }
}

/** What the host needs of an error to rebuild it: AppError code, interrupt epoch, cancel. */
export function describeError(err: unknown): ThreadError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CancelledByHost) return { message, aborted: true };
  if (err instanceof FitInterrupted) return { message, interruptedAt: err.epoch };
  if (err instanceof AppError) return { message, code: err.code };
  return { message };
}
