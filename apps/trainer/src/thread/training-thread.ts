import type { Worker } from 'node:worker_threads';
import type { BackendName } from '@mlops/contracts';
import type { BackendRequest } from '@mlops/ml/backend';
import { spawnTrainingThread } from './entry';
import type { HostMessage, ThreadMessage } from './protocol';

/** What the job that takes a thread hears of it. */
export interface ThreadEvents {
  message(msg: ThreadMessage): void;
  error(err: Error): void;
  exit(code: number): void;
}

/** Where a job's training thread comes from (a spare started ahead, or a new one). */
export interface ThreadSource {
  take(backend: BackendRequest): TrainingThread;
}

/**
 * A started training thread (spawned with its backend request) that may wait for a job: what it
 * says before a job listens — `ready`, a failed backend init, its death — is kept and replayed to
 * the job that takes it, so a job handles a spare exactly as a thread it started itself.
 */
export class TrainingThread {
  readonly worker: Worker;
  /** The backend the thread initialised, once it said `ready`. */
  backend: BackendName | undefined;
  /** Settles when the thread is ready (its backend) or never will be (undefined). */
  readonly started: Promise<BackendName | undefined>;
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

  /** Hand the thread to its job: what it said so far is replayed, the rest delivered as it comes. */
  attach(events: ThreadEvents): void {
    if (this.events) throw new Error('a training thread serves one job only');
    this.events = events;
    // A spare does not keep the process alive; a thread with a job does, like any job.
    this.worker.ref();
    for (const replay of this.early.splice(0)) replay(events);
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
