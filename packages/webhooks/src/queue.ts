import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { closeRedis, type Logger } from '@mlops/config';
import type { AddressPolicy } from './address-policy';
import { deliver, type DeliveryOutcome } from './deliver';
import { DELIVERY_HEADER, EVENT_HEADER, signedHeaders } from './signature';
import type { Resolve } from './target';

/** Queue names, one per owning app: each app's worker resolves its own targets. */
export const WEBHOOK_QUEUES = { registry: 'webhooks', monitor: 'monitor-webhooks' } as const;

/**
 * A pending delivery as stored in Redis: it names its target, it does not carry it. The URL
 * and the secret are looked up when the attempt runs (a deleted webhook is not delivered to),
 * and no secret ever sits in Redis.
 */
export interface WebhookJob {
  deliveryId: string;
  targetId: string;
  eventType: string;
  body: string;
}

export interface ResolvedTarget {
  url: string;
  secret: string;
}

export interface AttemptReport {
  job: WebhookJob;
  outcome: DeliveryOutcome;
  attempt: number;
  /** True when another attempt is scheduled; false once delivered or given up. */
  willRetry: boolean;
}

export interface WebhookQueueOptions {
  name: string;
  redisUrl: string;
  /** BullMQ prefix of the deployment (`redisKeys(prefix).bullPrefix`). */
  bullPrefix: string;
  policy: AddressPolicy;
  attempts: number;
  /** Delay before the second attempt; doubles for each one after. */
  backoffMs: number;
  timeoutMs: number;
  maxResponseBytes?: number;
  logger: Logger;
  /** Current URL and secret of a target; undefined when it no longer exists. */
  target: (targetId: string) => Promise<ResolvedTarget | undefined>;
  onAttempt?: (report: AttemptReport) => Promise<void> | void;
  /** Name resolution (tests); the system resolver by default. */
  resolve?: Resolve;
}

/**
 * Durable webhook deliveries: each one is a BullMQ job, retried with exponential backoff by
 * BullMQ itself, so deliveries pending when the process stops are picked up by the next one
 * (or by any replica) instead of dying with an in-process timer.
 */
export class WebhookQueue {
  private readonly connection: Redis;
  private readonly queue: Queue<WebhookJob>;
  private worker: Worker<WebhookJob> | undefined;

  constructor(private readonly opts: WebhookQueueOptions) {
    // BullMQ workers block on their connection: it gets one of its own, never the app's.
    this.connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue<WebhookJob>(opts.name, {
      connection: this.connection,
      prefix: opts.bullPrefix,
    });
  }

  /** Idempotent per delivery id: offering the same delivery twice enqueues it once. */
  async enqueue(job: WebhookJob): Promise<void> {
    await this.queue.add(job.eventType, job, {
      // BullMQ job ids may not contain ':'.
      jobId: job.deliveryId.replaceAll(':', '_'),
      attempts: this.opts.attempts,
      backoff: { type: 'exponential', delay: this.opts.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
    });
  }

  /** Start processing (and resume whatever an earlier process left pending). */
  start(concurrency = 4): void {
    if (this.worker) return;
    this.worker = new Worker<WebhookJob>(this.opts.name, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.opts.bullPrefix,
      concurrency,
    });
    this.worker.on('error', (err) => this.opts.logger.warn({ err }, 'webhook worker error'));
  }

  private async process(job: Job<WebhookJob>): Promise<void> {
    const data = job.data;
    const attempt = job.attemptsMade + 1;
    let target: ResolvedTarget | undefined;
    try {
      target = await this.opts.target(data.targetId);
    } catch (err) {
      // Typically a sealed secret that does not open: a replica with another MLOPS_SECRET_KEY.
      // Another attempt may land on a replica that has the right key.
      const error = `could not prepare the delivery: ${(err as Error).message}`;
      const outcome = { ok: false, statusCode: null, retryable: true, error } as const;
      const willRetry = attempt < this.opts.attempts;
      await this.opts.onAttempt?.({ job: data, outcome, attempt, willRetry });
      this.opts.logger.warn({ err, delivery: data.deliveryId }, 'webhook target unavailable');
      throw willRetry ? new Error(error) : new UnrecoverableError(error);
    }
    if (!target) {
      const error = 'the webhook no longer exists or is inactive';
      const outcome = { ok: false, statusCode: null, retryable: false, error } as const;
      await this.opts.onAttempt?.({ job: data, outcome, attempt, willRetry: false });
      throw new UnrecoverableError(error);
    }
    const headers = signedHeaders(target.secret, data.body, {
      [EVENT_HEADER]: data.eventType,
      [DELIVERY_HEADER]: data.deliveryId,
    });
    const outcome = await deliver(target.url, data.body, headers, {
      policy: this.opts.policy,
      timeoutMs: this.opts.timeoutMs,
      maxResponseBytes: this.opts.maxResponseBytes ?? 64 * 1024,
      ...(this.opts.resolve ? { resolve: this.opts.resolve } : {}),
    });
    const willRetry = !outcome.ok && outcome.retryable && attempt < this.opts.attempts;
    await this.opts.onAttempt?.({ job: data, outcome, attempt, willRetry });
    if (outcome.ok) return;
    this.opts.logger.info(
      { delivery: data.deliveryId, type: data.eventType, attempt, error: outcome.error },
      willRetry ? 'webhook delivery failed; will retry' : 'webhook delivery failed',
    );
    if (willRetry) throw new Error(outcome.error);
    throw new UnrecoverableError(outcome.error);
  }

  /** Stop taking jobs (the one in flight finishes); what is pending stays in Redis. */
  async close(): Promise<void> {
    // Cutting connections mid-handshake rejects their pending commands in the background (an
    // unhandled "Connection is closed" when a process stops right after it started): let the
    // handshakes settle, then close, and QUIT rather than cut the shared connection.
    await Promise.allSettled([this.queue.waitUntilReady(), this.worker?.waitUntilReady()]);
    await this.worker?.close();
    await this.queue.close();
    await closeRedis(this.connection);
  }
}
