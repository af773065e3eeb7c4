import type { EpochReport } from '../train/fit';

/**
 * The host's end of the epoch reports the training thread posts without waiting for them. The
 * fit used to await each report (BullMQ's job progress, then the registry: a round trip or two)
 * before it began the next epoch; now it goes on at once and the host reports meanwhile.
 *
 * Reports go out one at a time, in order — never two at once, so the registry never sees an
 * older epoch after a newer one. A report posted while another is on its way waits, and a newer
 * one replaces it: only the latest progress is worth sending. Nothing that matters is lost that
 * way: the last epoch is always the newest, and a fresh checkpoint is read from the saver when a
 * report goes out (../progress.ts), so it rides on whichever report is sent next.
 *
 * A report that fails (the registry refused it: the run was cancelled or failed elsewhere) is
 * handed to `onFailed`, which stops the training; no report is sent after it.
 */
export class EpochReports {
  private waiting: EpochReport | undefined;
  private sending: Promise<void> | undefined;
  private failed = false;

  constructor(
    private readonly send: (report: EpochReport) => Promise<void>,
    private readonly onFailed: (err: Error) => void,
  ) {}

  push(report: EpochReport): void {
    if (this.failed) return;
    const replaced = this.waiting;
    // A replaced report is not sent, but its losses ride along so the curve misses no epoch.
    this.waiting = replaced
      ? {
          ...report,
          earlier: [
            ...(replaced.earlier ?? []),
            { epoch: replaced.epoch, loss: replaced.loss, valLoss: replaced.valLoss },
            ...(report.earlier ?? []),
          ],
        }
      : report;
    this.sending ??= this.sendWaiting();
  }

  /** Settles (never rejects) once every report pushed so far was sent, replaced, or failed. */
  delivered(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  private async sendWaiting(): Promise<void> {
    try {
      for (let report = this.waiting; report; report = this.waiting) {
        this.waiting = undefined;
        await this.send(report);
      }
    } catch (err) {
      this.failed = true;
      this.waiting = undefined;
      this.onFailed(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.sending = undefined;
    }
  }
}
