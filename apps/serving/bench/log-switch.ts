/**
 * The payload log switched on and off inside one server process, for the interleaved measure of
 * its cost (interleaved-log-cost.ts). Two separate 5 s runs of a log-on and a log-off server on
 * two shared cores differ by ±30% back to back whatever the log costs; switching the log every
 * 200 ms in one process, under one continuous load, compares like with like.
 */
import type { FastifyInstance } from 'fastify';
import type { LogSink } from '../src/inference/log-buffer';
import type { ServedBatch } from '../src/payload-log';

/** What the server has done so far: the interleaved measure differences two of these. */
export interface LogSwitchSnapshot {
  /** Process CPU time (user + system), µs. */
  cpuUs: number;
  /** Rows answered (every row reaches the sink, logged or not). */
  rows: number;
  /** performance.now() of the server, ms. */
  atMs: number;
  /** The monotonic clock in µs, the clock of `--cpu-prof` sample timestamps. */
  monotonicUs: number;
  on: boolean;
}

export class LogSwitch implements LogSink {
  on = true;
  private rows = 0;

  constructor(private readonly log: LogSink) {}

  record(batch: ServedBatch): void {
    this.rows += batch.rows.length;
    if (this.on) this.log.record(batch);
  }

  snapshot(): LogSwitchSnapshot {
    const cpu = process.cpuUsage();
    return {
      cpuUs: cpu.user + cpu.system,
      rows: this.rows,
      atMs: performance.now(),
      monotonicUs: Number(process.hrtime.bigint() / 1000n),
      on: this.on,
    };
  }
}

/** `GET /bench/log-switch[?on=0|1]`: switch (if asked), then answer a snapshot. */
export function logSwitchRoute(app: FastifyInstance, logSwitch: LogSwitch): void {
  app.get<{ Querystring: { on?: string } }>('/bench/log-switch', (req) => {
    if (req.query.on !== undefined) logSwitch.on = req.query.on === '1';
    return logSwitch.snapshot();
  });
}
