import type { Redis } from 'ioredis';
import { AppError, platformEventSchema } from '@mlops/contracts';
import { closeRedis, type Logger } from '@mlops/config';

/**
 * Turns `run.cancelled` events (Redis pub/sub, the registry publishes them) into aborts of the
 * runs this process trains: the fit stops at the end of its current batch. Events missed while
 * disconnected are caught later, when the registry refuses the run's next progress report.
 */
export class Cancellations {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    subscriber.on('message', (ch: string, message: string) => {
      if (ch === this.channel) this.onMessage(message);
    });
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  /** A signal that aborts when `runId` is cancelled; call `release` when the job ends. */
  track(runId: string): AbortController {
    const controller = new AbortController();
    this.running.set(runId, controller);
    return controller;
  }

  release(runId: string, controller: AbortController): void {
    if (this.running.get(runId) === controller) this.running.delete(runId);
  }

  async close(): Promise<void> {
    this.running.clear();
    await closeRedis(this.subscriber);
  }

  private onMessage(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const event = platformEventSchema.safeParse(parsed);
    if (!event.success || event.data.type !== 'run.cancelled') return;
    const controller = this.running.get(event.data.runId);
    if (!controller) return;
    this.logger.info({ runId: event.data.runId }, 'run cancelled: stopping its training');
    controller.abort(cancelledError(event.data.runId));
  }
}

/** CONFLICT: the worker stops without marking the run failed (it is already cancelled). */
export function cancelledError(runId: string, detail?: string): AppError {
  return new AppError(
    'CONFLICT',
    `Run ${runId} was cancelled; training stopped${detail ? ` (${detail})` : ''}`,
  );
}
