import { createHmac } from 'node:crypto';
import type { Logger } from '@mlops/config';
import type { PlatformEvent } from '@mlops/contracts';

export const SIGNATURE_HEADER = 'x-mlops-signature';
export const TIMESTAMP_HEADER = 'x-mlops-timestamp';
export const EVENT_HEADER = 'x-mlops-event';

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the receiver recomputes it
 * with the shared secret and rejects old timestamps, so a captured request cannot be replayed.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  /** Attempts per event (first try included). */
  attempts?: number;
  /** Delay before the second attempt; doubles each time. */
  backoffMs?: number;
  timeoutMs?: number;
  logger: Logger;
  onResult?: (ok: boolean) => void;
}

/**
 * Alert webhooks: every alert event POSTed as JSON, signed, retried with exponential backoff on
 * network errors and 5xx/429 answers. Sending is fire and forget — an unreachable receiver never
 * holds up monitoring — but `drain()` lets shutdown wait for what is in flight.
 */
export class AlertWebhook {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: WebhookOptions) {}

  send(event: PlatformEvent): void {
    const p = this.deliver(event).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(event: PlatformEvent): Promise<void> {
    const { url, secret, logger } = this.opts;
    const attempts = this.opts.attempts ?? 4;
    const body = JSON.stringify(event);
    let delay = this.opts.backoffMs ?? 500;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      let retryable = true;
      let reason = '';
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
            [TIMESTAMP_HEADER]: timestamp,
            [EVENT_HEADER]: event.type,
          },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.opts.onResult?.(true);
          return;
        }
        retryable = res.status >= 500 || res.status === 429;
        reason = `HTTP ${res.status}`;
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
      if (!retryable || attempt === attempts) {
        logger.warn({ type: event.type, id: event.id, reason, attempt }, 'alert webhook failed');
        this.opts.onResult?.(false);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}
