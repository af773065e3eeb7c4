import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { platformEventSchema } from '@mlops/contracts';
import type { PlatformEvent, PlatformEventInput } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { AlertWebhook } from './webhook';

/**
 * Stamps and publishes the monitor's events on the platform channel, and forwards them to the
 * alert webhook when one is configured. A failed publish is logged, never thrown: the decision
 * it announces has been taken already.
 */
export class EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly webhook: AlertWebhook | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(input: PlatformEventInput): Promise<PlatformEvent> {
    const event = platformEventSchema.parse({
      ...input,
      id: randomUUID(),
      at: new Date(this.now()).toISOString(),
    });
    try {
      await this.redis.publish(this.channel, JSON.stringify(event));
    } catch (err) {
      this.logger.warn({ err, type: event.type }, 'could not publish event on Redis');
    }
    this.webhook?.send(event);
    return event;
  }

  async drain(): Promise<void> {
    await this.webhook?.drain();
  }
}

/**
 * "At most once per key per period", agreed on by every monitor replica: SET NX PX on a shared
 * key. The first replica to set it wins; the rest see it taken until it expires.
 */
export async function claimOnce(redis: Redis, key: string, periodMs: number): Promise<boolean> {
  if (periodMs <= 0) return true;
  const ok = await redis.set(key, String(Date.now()), 'PX', periodMs, 'NX');
  return ok === 'OK';
}
