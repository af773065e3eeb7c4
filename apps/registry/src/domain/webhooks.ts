import type { PlatformEvent } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import {
  claimDelivery,
  getWebhook,
  listWebhooks,
  purgeFreedPages,
  recordAttempt,
  setWebhookSealedSecret,
  type Db,
} from '@mlops/storage';
import {
  DENY_ALL_PRIVATE,
  isSealed,
  WEBHOOK_QUEUES,
  WebhookQueue,
  type AddressPolicy,
  type AttemptReport,
  type SecretBox,
} from '@mlops/webhooks';

export interface WebhookOptions {
  /** Targets beyond public addresses (MLOPS_WEBHOOK_ALLOW_HOSTS); default: none. */
  policy?: AddressPolicy;
  /** Attempts per delivery, the first included (default 8). */
  attempts?: number;
  /** Delay before the second attempt, doubling after (default 2 s). */
  backoffMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
}

/** Authenticated data of a webhook's sealed secret: it opens on its own row only. */
export const secretContextOf = (webhookId: string) => `webhook:${webhookId}`;

/**
 * Outbound webhooks. Every platform event (the registry's own, and the monitor's drift events
 * heard on the Redis channel) is offered to each active webhook whose types match; the delivery
 * row (`<webhook>:<event>`) is claimed once, so replicas and the two sources never deliver
 * twice. The delivery itself is a job of the `webhooks` BullMQ queue (@mlops/webhooks): target
 * checked again, signed, retried with backoff by BullMQ, and still pending after a restart.
 * Every attempt updates the delivery log.
 */
export class WebhookDispatcher {
  readonly policy: AddressPolicy;
  private readonly queue: WebhookQueue;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly logger: Logger,
    opts: WebhookOptions & {
      redisUrl: string;
      bullPrefix: string;
      onResult?: (result: 'delivered' | 'retry' | 'failed') => void;
    },
  ) {
    this.policy = opts.policy ?? DENY_ALL_PRIVATE;
    this.queue = new WebhookQueue({
      name: WEBHOOK_QUEUES.registry,
      redisUrl: opts.redisUrl,
      bullPrefix: opts.bullPrefix,
      policy: this.policy,
      attempts: opts.attempts ?? 8,
      backoffMs: opts.backoffMs ?? 2_000,
      timeoutMs: opts.timeoutMs ?? 10_000,
      logger,
      target: (id) => this.targetOf(id),
      onAttempt: (report) => {
        opts.onResult?.(report.outcome.ok ? 'delivered' : report.willRetry ? 'retry' : 'failed');
        return this.record(report);
      },
    });
  }

  /** Seal what is still in clear (rows from before secrets were sealed), then start delivering. */
  async start(): Promise<void> {
    let sealed = 0;
    for (const hook of await listWebhooks(this.db)) {
      if (isSealed(hook.sealedSecret)) continue;
      const value = this.box.seal(hook.sealedSecret, secretContextOf(hook.id));
      await setWebhookSealedSecret(this.db, hook.id, value);
      sealed += 1;
    }
    if (sealed > 0) {
      await purgeFreedPages(this.db);
      this.logger.info({ sealed }, 'sealed webhook secrets stored in clear');
    }
    this.queue.start();
  }

  /** Fire and forget: failures are logged and recorded, never thrown at the caller. */
  offer(event: PlatformEvent): void {
    if (this.closed) return;
    const p = this.dispatch(event)
      .catch((err: unknown) =>
        this.logger.warn({ err, event: event.id }, 'could not dispatch webhooks'),
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async dispatch(event: PlatformEvent): Promise<void> {
    const hooks = (await listWebhooks(this.db)).filter(
      (h) => h.active && (h.eventTypes.includes('*') || h.eventTypes.includes(event.type)),
    );
    const body = JSON.stringify(event);
    for (const hook of hooks) {
      const claimed = await claimDelivery(this.db, {
        webhookId: hook.id,
        eventId: event.id,
        eventType: event.type,
        now: new Date().toISOString(),
      });
      if (!claimed) continue;
      try {
        await this.queue.enqueue({
          deliveryId: claimed.id,
          targetId: hook.id,
          eventType: event.type,
          body,
        });
      } catch (err) {
        this.logger.warn({ err, delivery: claimed.id }, 'could not queue a webhook delivery');
        await recordAttempt(this.db, claimed.id, {
          status: 'failed',
          statusCode: null,
          error: 'could not be queued (Redis unavailable)',
          now: new Date().toISOString(),
        });
      }
    }
  }

  private async targetOf(id: string): Promise<{ url: string; secret: string } | undefined> {
    const hook = await getWebhook(this.db, id);
    if (!hook?.active) return undefined;
    return { url: hook.url, secret: this.box.unseal(hook.sealedSecret, secretContextOf(id)) };
  }

  private async record({ job, outcome, willRetry }: AttemptReport): Promise<void> {
    await recordAttempt(this.db, job.deliveryId, {
      status: outcome.ok ? 'delivered' : willRetry ? 'pending' : 'failed',
      statusCode: outcome.statusCode,
      error: outcome.ok ? null : outcome.error,
      now: new Date().toISOString(),
    });
  }

  /** Wait for offers being queued (tests, shutdown); the deliveries themselves live in Redis. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stop delivering; what is pending stays queued for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.queue.close();
  }
}
