import { createHmac } from 'node:crypto';
import {
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type PlatformEvent,
} from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import {
  claimDelivery,
  listWebhooks,
  recordAttempt,
  type Db,
  type StoredWebhook,
} from '@mlops/storage';

export interface WebhookOptions {
  /** Attempts per delivery, the first included (default 5). */
  maxAttempts?: number;
  /** Delay before retry n is base × 2^(n−1) (default 1 s: 1, 2, 4, 8 s). */
  baseDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
}

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`: receivers recompute it over the bytes they got. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Outbound webhooks. Every platform event (the registry's own, and the monitor's drift events
 * heard on the Redis channel) is offered to each active webhook whose types match; the delivery
 * row (`<webhook>:<event>`) is claimed once, so replicas and the two sources never deliver
 * twice. Failed attempts (network, timeout, 408/429/5xx) are retried with exponential backoff;
 * every attempt updates the delivery log.
 */
export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    opts: WebhookOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 1_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Offer a raw Redis message (ignored unless it is a valid platform event). */
  /** Fire and forget: failures are logged and recorded, never thrown at the caller. */
  offer(event: PlatformEvent): void {
    if (this.closed) return;
    this.track(
      this.dispatch(event).catch((err: unknown) =>
        this.logger.warn({ err, event: event.id }, 'could not dispatch webhooks'),
      ),
    );
  }

  private async dispatch(event: PlatformEvent): Promise<void> {
    const hooks = (await listWebhooks(this.db)).filter(
      (h) => h.active && (h.eventTypes.includes('*') || h.eventTypes.includes(event.type)),
    );
    for (const hook of hooks) {
      const claimed = await claimDelivery(this.db, {
        webhookId: hook.id,
        eventId: event.id,
        eventType: event.type,
        now: new Date().toISOString(),
      });
      if (claimed) this.track(this.attempt(hook, claimed.id, JSON.stringify(event), event.type, 1));
    }
  }

  private async attempt(
    hook: StoredWebhook,
    deliveryId: string,
    body: string,
    type: string,
    n: number,
  ): Promise<void> {
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: signBody(hook.secret, body),
          [WEBHOOK_EVENT_HEADER]: type,
          'x-mlops-delivery': deliveryId,
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel();
      if (!res.ok) error = `receiver answered HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const retryable =
      error !== null &&
      (statusCode === null || statusCode >= 500 || statusCode === 408 || statusCode === 429);
    const status =
      error === null ? 'delivered' : retryable && n < this.maxAttempts ? 'pending' : 'failed';
    await recordAttempt(this.db, deliveryId, {
      status,
      statusCode,
      error,
      now: new Date().toISOString(),
    });
    if (status !== 'pending' || this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.track(
          this.attempt(hook, deliveryId, body, type, n + 1).catch((err: unknown) =>
            this.logger.warn({ err, deliveryId }, 'webhook retry failed'),
          ),
        );
      },
      this.baseDelayMs * 2 ** (n - 1),
    );
    this.timers.add(timer);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Wait for attempts in flight (tests, shutdown); pending retries are dropped on close. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.idle();
  }
}
