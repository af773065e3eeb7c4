import type { Worker } from 'node:worker_threads';
import type { BackendName } from '@mlops/contracts';
import type { BackendRequest } from '@mlops/ml/backend';
import { spawnTrainingThread } from './entry';
import type { HostMessage, ThreadHealth, ThreadMessage } from './protocol';

/** What the job that takes a thread hears of it. */
export interface ThreadEvents {
  message(msg: ThreadMessage): void;
  error(err: Error): void;
  exit(code: number): void;
}

/** How a job left its thread: what decides whether the next job may have it. */
export interface ThreadEnd {
  /** Why the thread must not serve another job (the job was cancelled, crashed, timed out …). */
  retire?: string;
  /** What the thread said of itself with its outcome. */
  health?: ThreadHealth;
}

/** Where a job's training thread comes from (one waiting in the pool, or a new one). */
export interface ThreadSource {
  take(backend: BackendRequest): TrainingThread;
  /**
   * The job is done with the thread: keep it for the next job, or end it. Without this the job
   * terminates its thread.
   */
  release?(thread: TrainingThread, end: ThreadEnd): Promise<void>;
}

/**
 * A started training thread (spawned with its backend request) that may wait for a job: what it
 * says before a job listens — `ready`, a failed backend init, its death — is kept and replayed to
 * the job that takes it, so a job handles a spare exactly as a thread it started itself. A thread
 * released by its job (`release`) says `ready` again to the next.
 */
export class TrainingThread {
  readonly worker: Worker;
  /** The backend the thread initialised, once it said `ready`. */
  backend: BackendName | undefined;
  /** Settles when the thread is ready (its backend) or never will be (undefined). */
  readonly started: Promise<BackendName | undefined>;
  /** Jobs the thread was given so far; the current one's number while it has a job. */
  jobs = 0;
  /** What the thread said of itself after its last job (tensors left, heap). */
  health: ThreadHealth | undefined;
  private exited = false;
  private events: ThreadEvents | undefined;
  private readonly early: Array<(events: ThreadEvents) => void> = [];

  constructor(
    readonly request: BackendRequest,
    entry?: URL,
  ) {
    this.worker = spawnTrainingThread(entry, { backend: request });
    let settle: (backend: BackendName | undefined) => void = () => undefined;
    this.started = new Promise((resolve) => (settle = resolve));
    this.worker.on('message', (msg: ThreadMessage) => {
      if (msg.type === 'ready') this.backend = msg.backend;
      if ((msg.type === 'done' || msg.type === 'failed') && msg.health) this.health = msg.health;
      settle(msg.type === 'ready' ? msg.backend : this.backend);
      this.emit((e) => e.message(msg));
    });
    this.worker.on('error', (err) => this.emit((e) => e.error(err)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      settle(undefined);
      this.emit((e) => e.exit(code));
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** True when a job asking for `request` gets from this thread what a new one would give it. */
  serves(request: BackendRequest): boolean {
    return request === this.request || (this.backend !== undefined && request === this.backend);
  }

  /**
   * Hand the thread to its job: what it said so far is replayed, the rest delivered as it comes.
   * Returns the job's number, which every message to the thread for this job carries.
   */
  attach(events: ThreadEvents): number {
    if (this.events) throw new Error('a training thread serves one job at a time');
    this.events = events;
    const job = ++this.jobs;
    // A spare does not keep the process alive; a thread with a job does, like any job.
    this.worker.ref();
    for (const replay of this.early.splice(0)) replay(events);
    return job;
  }

  /**
   * The job is over and the thread (ready, trained cleanly) waits for the next: that job hears
   * `ready` when it attaches, as from a new thread. Nothing the thread says meanwhile is lost.
   */
  detach(): void {
    this.events = undefined;
    this.worker.unref();
    const backend = this.backend;
    if (backend) this.early.push((e) => e.message({ type: 'ready', backend }));
  }

  post(msg: HostMessage, transfer: ArrayBuffer[] = []): void {
    if (!this.exited) this.worker.postMessage(msg, transfer);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private emit(deliver: (events: ThreadEvents) => void): void {
    if (this.events) deliver(this.events);
    else this.early.push(deliver);
  }
}

/** Each job starts a thread of its own, as it asks for it: no thread waits ahead. */
export function freshThreads(entry?: URL): ThreadSource {
  return { take: (backend) => new TrainingThread(backend, entry) };
}
