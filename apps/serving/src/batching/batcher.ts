import { RetryLaterError } from '../errors';

/**
 * Adaptive micro-batching: concurrent requests for one model are merged into one call of
 * `run`, because one predict over 64 rows costs about as much as one over a single row
 * (NOTES.md: batching is worth ~5x in requests/s).
 *
 * - `maxLatencyMs` 0 (the default, like Triton's `max_queue_delay_microseconds: 0`): a batch is
 *   whatever is queued when the model is free, taken after the current I/O turn (setImmediate),
 *   so every request parsed in that turn rides along. Requests that arrive while a batch runs
 *   form the next one: batches grow with load by themselves and nobody waits on a timer. On one
 *   event loop a timer wait is pure idle time — the benchmark ran ≈ 25% idle with a 2 ms wait.
 * - `maxLatencyMs` > 0: a batch also waits for company, closing when it holds `maxBatchRows`
 *   rows or when its oldest request has waited `maxLatencyMs` (counted from that request's
 *   arrival, so requests that waited while the previous batch ran are not made to wait again).
 *   Worth it when one predict call costs far more than its rows (e.g. a remote accelerator).
 * - A request larger than `maxBatchRows` is never split: it runs as a batch of its own.
 * - One batch runs at a time; the queue is bounded in rows (`maxQueueRows`) and `submit` rejects
 *   with UNAVAILABLE when full, so overload turns into fast 503s instead of growing latency.
 */
export interface BatcherOptions<I, O> {
  maxBatchRows: number;
  maxLatencyMs: number;
  maxQueueRows: number;
  /** A request not started within this many ms is refused (503 + Retry-After); 0 = no limit. */
  timeoutMs?: number;
  /** Computes one output per input, in order. May throw: every request of the batch fails. */
  run: (items: I[]) => O[] | Promise<O[]>;
  /** Called after each batch, for metrics. */
  onBatch?: (stats: BatchStats) => void;
  /**
   * The rows an input stands for (1 unless told): a tabular request is one input of all its
   * rows (models/row-block.ts), and the row bounds count rows, not inputs.
   */
  rowsOf?: (item: I) => number;
  now?: () => number;
}

export interface BatchStats {
  rows: number;
  requests: number;
  /** Milliseconds each request of the batch waited in the queue. */
  queueMs: number[];
  computeMs: number;
  ok: boolean;
}

interface Job<I, O> {
  items: I[];
  rows: number;
  enqueuedAt: number;
  deadline: number;
  resolve: (out: O[]) => void;
  reject: (err: unknown) => void;
}

export class QueueFullError extends RetryLaterError {
  constructor(queuedRows: number) {
    super(
      `The model's request queue is full (${queuedRows} rows waiting): retry shortly or add replicas`,
      1,
    );
  }
}

export class RequestTimeoutError extends RetryLaterError {
  constructor(waitedMs: number) {
    super(
      `The request waited ${Math.round(waitedMs)} ms without reaching the model (timeout): retry shortly or add replicas`,
      1,
    );
  }
}

export class Batcher<I, O> {
  private readonly opts: BatcherOptions<I, O>;
  private readonly now: () => number;
  private queue: Job<I, O>[] = [];
  private queuedRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(opts: BatcherOptions<I, O>) {
    if (opts.maxBatchRows < 1) throw new Error('maxBatchRows must be at least 1');
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Rows waiting (not counting the batch that is running). */
  get pendingRows(): number {
    return this.queuedRows;
  }

  submit(items: I[]): Promise<O[]> {
    if (this.closed) {
      return Promise.reject(new RetryLaterError('The model version is being unloaded: retry', 1));
    }
    if (items.length === 0) return Promise.resolve([]);
    const rowsOf = this.opts.rowsOf;
    let rows = items.length;
    if (rowsOf) {
      rows = 0;
      for (const item of items) rows += rowsOf(item);
    }
    // An empty queue always accepts, so one request larger than the bound can still be served.
    if (this.queuedRows > 0 && this.queuedRows + rows > this.opts.maxQueueRows) {
      return Promise.reject(new QueueFullError(this.queuedRows));
    }
    return new Promise<O[]>((resolve, reject) => {
      const enqueuedAt = this.now();
      const deadline = this.opts.timeoutMs ? enqueuedAt + this.opts.timeoutMs : Infinity;
      this.queue.push({ items, rows, enqueuedAt, deadline, resolve, reject });
      this.queuedRows += rows;
      this.schedule();
    });
  }

  /** Stop accepting, run everything already queued, resolve when the last batch finished. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && !this.running) return;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.clearTimer();
      this.kick();
    });
  }

  private schedule(): void {
    if (this.running) return; // the running batch reschedules when it ends
    if (this.closed || this.queuedRows >= this.opts.maxBatchRows || this.opts.maxLatencyMs <= 0) {
      this.clearTimer();
      this.kick();
      return;
    }
    if (this.timer) return;
    const oldest = this.queue[0];
    if (!oldest) return;
    const wait = Math.max(0, oldest.enqueuedAt + this.opts.maxLatencyMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Start the next batch on a fresh tick, so the caller's stack never runs model code. */
  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => {
      void this.runOne();
    });
  }

  private takeBatch(): Job<I, O>[] {
    const batch: Job<I, O>[] = [];
    let rows = 0;
    const now = this.now();
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.deadline < now) {
        // Waited past its timeout: answering late is worse than a fast "retry" for the client.
        this.queue.shift();
        this.queuedRows -= next.rows;
        next.reject(new RequestTimeoutError(now - next.enqueuedAt));
        continue;
      }
      if (batch.length > 0 && rows + next.rows > this.opts.maxBatchRows) break;
      this.queue.shift();
      batch.push(next);
      rows += next.rows;
    }
    this.queuedRows -= rows;
    return batch;
  }

  private async runOne(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length > 0) await this.execute(batch);
    this.running = false;
    if (this.queue.length > 0) {
      this.schedule();
    } else {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async execute(batch: Job<I, O>[]): Promise<void> {
    const start = this.now();
    const items: I[] = [];
    let rows = 0;
    for (const job of batch) {
      for (const item of job.items) items.push(item);
      rows += job.rows;
    }
    let outputs: O[] | undefined;
    let error: unknown;
    try {
      const out = await this.opts.run(items);
      if (out.length !== items.length) {
        throw new Error(`batch produced ${out.length} outputs for ${items.length} inputs`);
      }
      outputs = out;
    } catch (err) {
      error = err;
    }
    const computeMs = this.now() - start;
    try {
      this.opts.onBatch?.({
        rows,
        requests: batch.length,
        queueMs: batch.map((j) => start - j.enqueuedAt),
        computeMs,
        ok: error === undefined,
      });
    } catch {
      // Metrics must never break serving.
    }
    let offset = 0;
    for (const job of batch) {
      const n = job.items.length;
      if (outputs) job.resolve(n === 1 ? [outputs[offset]!] : outputs.slice(offset, offset + n));
      else job.reject(error);
      offset += n;
    }
  }
}
