import type { Logger } from '@mlops/config';
import type { PlatformEvent } from '@mlops/contracts';
import {
  DENY_ALL_PRIVATE,
  WEBHOOK_QUEUES,
  WebhookQueue,
  type AddressPolicy,
} from '@mlops/webhooks';

export interface AlertWebhookOptions {
  url: string;
  /** The webhook's own HMAC key (MONITOR_ALERT_WEBHOOK_SECRET), never a platform token. */
  secret: string;
  redisUrl: string;
  /** BullMQ prefix of the deployment: pending alerts live there across restarts. */
  bullPrefix: string;
  /** Non-public targets allowed (MLOPS_WEBHOOK_ALLOW_HOSTS); default none. */
  policy?: AddressPolicy;
  /** Attempts per event (first try included). */
  attempts?: number;
  /** Delay before the second attempt; doubles each time. */
  backoffMs?: number;
  timeoutMs?: number;
  logger: Logger;
  /** Once per event, when it is delivered or given up on. */
  onResult?: (ok: boolean) => void;
}

/**
 * Alert webhook: every event the monitor publishes is POSTed to one configured URL through the
 * platform's shared delivery (@mlops/webhooks): the same timestamped HMAC signature, target
 * policy and no-redirect rule as the registry's webhooks, queued in BullMQ so an alert pending
 * when the monitor stops is still delivered after it starts again. Sending never holds up
 * monitoring: `send` only queues.
 */
export class AlertWebhook {
  private readonly queue: WebhookQueue;
  private readonly queuing = new Set<Promise<void>>();

  constructor(private readonly opts: AlertWebhookOptions) {
    this.queue = new WebhookQueue({
      name: WEBHOOK_QUEUES.monitor,
      redisUrl: opts.redisUrl,
      bullPrefix: opts.bullPrefix,
      policy: opts.policy ?? DENY_ALL_PRIVATE,
      attempts: opts.attempts ?? 8,
      backoffMs: opts.backoffMs ?? 2_000,
      timeoutMs: opts.timeoutMs ?? 10_000,
      logger: opts.logger,
      target: () => Promise.resolve({ url: opts.url, secret: opts.secret }),
      onAttempt: ({ outcome, willRetry }) => {
        if (!willRetry) opts.onResult?.(outcome.ok);
      },
    });
    this.queue.start();
  }

  send(event: PlatformEvent): void {
    const p = this.queue
      .enqueue({
        deliveryId: `alert:${event.id}`,
        targetId: 'alert',
        eventType: event.type,
        body: JSON.stringify(event),
      })
      .catch((err: unknown) => {
        this.opts.logger.warn({ err, type: event.type }, 'could not queue the alert webhook');
        this.opts.onResult?.(false);
      })
      .finally(() => this.queuing.delete(p));
    this.queuing.add(p);
  }

  /** Shutdown: finish queuing, stop delivering; what is pending stays queued for next start. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.queuing]);
    await this.queue.close();
  }
}
