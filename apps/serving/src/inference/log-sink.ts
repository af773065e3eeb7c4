import { Worker } from 'node:worker_threads';
import type { Logger } from '@mlops/config';
import type { ServingMetrics } from '../metrics';
import type { PayloadLog, ServedBatch } from '../payload-log';

/** Where answered predictions go: the payload log, here or in a worker thread. */
export interface LogSink {
  record(batch: ServedBatch): void;
  close(): Promise<void>;
}

export function inProcessSink(log: PayloadLog): LogSink {
  return { record: (b) => log.record(b), close: () => Promise.resolve() };
}

export interface WorkerSinkOptions {
  redisUrl: string;
  prefix: string;
  sampleRate: number;
  logLevel: string;
  metrics: ServingMetrics;
  logger: Logger;
  /** Used when the worker cannot start or dies: logging continues on the main thread. */
  fallback: PayloadLog;
}

/**
 * The worker's module: the TypeScript source when running from source (tsx, vitest), the
 * bundled `inference/log-worker.js` next to `server.js` in a build.
 */
function startWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts'))
    return new Worker(new URL('./inference/log-worker.js', here), { workerData });
  // From source: workers do not inherit tsx's loader, so register it before importing the module.
  const url = new URL('./log-worker.ts', here).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export function workerSink(opts: WorkerSinkOptions): LogSink {
  let worker: Worker | null = null;
  let closed: Promise<void> | null = null;
  try {
    worker = startWorker({
      redisUrl: opts.redisUrl,
      prefix: opts.prefix,
      sampleRate: opts.sampleRate,
      logLevel: opts.logLevel,
    });
  } catch (err) {
    opts.logger.warn(
      { err: String(err) },
      'payload log worker did not start; logging on the main thread',
    );
  }
  let w = worker;
  w?.on('message', (msg: { type: string; model?: string; count?: number }) => {
    if (msg.type === 'dropped' && msg.model && msg.count)
      opts.metrics.payloadLogDropped.inc({ model: msg.model }, msg.count);
  });
  w?.on('error', (err) => {
    opts.logger.error(
      { err: err.message },
      'payload log worker failed; logging on the main thread',
    );
    w = null;
  });
  w?.unref();
  return {
    record(batch) {
      if (w) w.postMessage({ type: 'batch', batch });
      else opts.fallback.record(batch);
    },
    close() {
      const current = w;
      if (!current) return Promise.resolve();
      closed ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        current.once('exit', done);
        current.on('message', (msg: { type: string }) => {
          if (msg.type === 'closed') void current.terminate().then(done, done);
        });
        current.postMessage({ type: 'close' });
        // A stuck Redis must not hold shutdown: give up after 5 s.
        setTimeout(() => void current.terminate().then(done, done), 5_000).unref();
      });
      return closed;
    },
  };
}
