import type { Redis } from 'ioredis';
import { platformEventSchema } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { ModelSet } from './model-set';

export interface FollowerOptions {
  models: ModelSet;
  /** A connection of its own: a subscribed ioredis connection can run no other command. */
  subscriber: Redis;
  channel: string;
  reconcileMs: number;
  logger: Logger;
}

/**
 * Keeps the model set in line with the registry: `alias.moved` events act at once, and a
 * periodic reconcile repairs whatever a lost event (Redis restart, missed message) left behind.
 * `version.created` events start a preload of the version a move may name next.
 */
/** First retry delay after a reconcile that left a model unloaded (doubles up to reconcileMs). */
const FIRST_RETRY_MS = 500;

export class RegistryFollower {
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private reconciling: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: FollowerOptions) {}

  /** Subscribe first, then reconcile: no move can slip between the first read and the events. */
  async start(): Promise<void> {
    const { subscriber, channel, logger } = this.opts;
    subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) this.onMessage(message);
    });
    await subscriber.subscribe(channel);
    logger.info({ channel, alias: this.opts.models.alias }, 'following alias events');
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.opts.reconcileMs);
    this.timer.unref();
  }

  /** One reconcile at a time; a tick during a slow one is skipped, not queued. */
  reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.reconciling ??= this.opts.models
      .reconcile()
      .catch((err: unknown) => this.opts.logger.error({ err }, 'reconcile failed'))
      .finally(() => {
        this.reconciling = null;
        this.scheduleRetry();
      });
    return this.reconciling;
  }

  /**
   * Not everything loaded (registry not up yet at start, a failed download): try again soon
   * with backoff instead of leaving the server unready until the next periodic reconcile.
   */
  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    if (this.opts.models.ready()) {
      this.retryMs = FIRST_RETRY_MS;
      return;
    }
    const delay = Math.min(this.retryMs, this.opts.reconcileMs);
    this.retryMs = Math.min(this.retryMs * 2, this.opts.reconcileMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reconcile();
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = null;
    this.retryTimer = null;
    this.opts.subscriber.removeAllListeners('message');
    await this.reconciling;
  }

  private onMessage(message: string): void {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      this.opts.logger.warn('ignoring an event that is not JSON');
      return;
    }
    const parsed = platformEventSchema.safeParse(json);
    if (!parsed.success) {
      this.opts.logger.warn('ignoring an event that does not match the PlatformEvent schema');
      return;
    }
    const event = parsed.data;
    if (event.type === 'version.created') {
      this.opts.models.versionCreated(event.model, event.version);
      return;
    }
    if (event.type !== 'alias.moved') return;
    if (event.alias !== this.opts.models.alias) {
      // An explicitly addressed alias (canary, /labels/…): re-resolve it on next use.
      this.opts.models.otherAliasMoved(event.model, event.alias);
      return;
    }
    this.opts.logger.info(
      {
        model: event.model,
        from: event.from,
        to: event.to,
        eventId: event.id,
        // Since the registry stamped it (clocks of one host, or NTP-close ones).
        lagMs: Date.now() - Date.parse(event.at),
      },
      'alias moved',
    );
    void this.opts.models.aliasMoved(event.model, event.to);
  }
}
