import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { platformEventSchema } from '@mlops/contracts';
import type { DriftReport, PlatformEvent } from '@mlops/contracts';

/**
 * Publishes `drift.detected` on the events channel, at most once per model+version per
 * cooldown: a drifted window stays drifted for many reports, and downstream (retraining)
 * should hear about it once, not on every poll.
 */
export class DriftAlerts {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the event when one was published. */
  async maybePublish(report: DriftReport): Promise<PlatformEvent | null> {
    if (!report.datasetDrift) return null;
    const key = `${report.model}@${report.version}`;
    const last = this.lastSent.get(key);
    const now = this.now();
    if (last !== undefined && now - last < this.cooldownMs) return null;
    this.lastSent.set(key, now);
    const event = platformEventSchema.parse({
      type: 'drift.detected',
      id: randomUUID(),
      at: new Date(now).toISOString(),
      model: report.model,
      version: report.version,
      driftedColumns: report.driftedColumns,
      share: report.driftShare,
    });
    await this.redis.publish(this.channel, JSON.stringify(event));
    return event;
  }
}
