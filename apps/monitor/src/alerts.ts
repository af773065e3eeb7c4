import type { Redis } from 'ioredis';
import type { DriftReport, PlatformEvent } from '@mlops/contracts';
import { claimOnce } from './publisher';
import type { EventPublisher } from './publisher';

/**
 * Publishes `drift.detected`, at most once per model+version per cooldown: a drifted window
 * stays drifted for many reports, and downstream (retraining, webhooks) should hear about it
 * once, not on every poll. The cooldown lives in Redis so replicas share it.
 */
export class DriftAlerts {
  constructor(
    private readonly redis: Redis,
    private readonly publisher: EventPublisher,
    private readonly keyPrefix: string,
    private readonly cooldownMs: number,
  ) {}

  /** Returns the event when one was published. */
  async maybePublish(report: DriftReport): Promise<PlatformEvent | null> {
    if (!report.datasetDrift) return null;
    const key = `${this.keyPrefix}:alert:drift:${report.model}@${report.version}`;
    if (!(await claimOnce(this.redis, key, this.cooldownMs))) return null;
    return this.publisher.publish({
      type: 'drift.detected',
      model: report.model,
      version: report.version,
      driftedColumns: report.driftedColumns,
      share: report.driftShare,
    });
  }

  async maybeQualityAlert(input: {
    model: string;
    version: number;
    metric: string;
    value: number;
    threshold: number;
  }): Promise<PlatformEvent | null> {
    const key = `${this.keyPrefix}:alert:quality:${input.model}@${input.version}`;
    if (!(await claimOnce(this.redis, key, this.cooldownMs))) return null;
    return this.publisher.publish({ type: 'quality.degraded', ...input });
  }
}
