import type { Redis } from 'ioredis';
import { retrainRecordSchema, type RetrainRecord } from '@mlops/contracts';
import type { Logger } from '@mlops/config';

/** Records kept per model: the newest, by request time. */
const HISTORY_KEEP = 50;

/**
 * A model's retraining history in Redis: one hash per model, a field per retraining, so every
 * replica reads the same history and a record is updated in place as its run moves on.
 */
export class RetrainHistory {
  constructor(
    private readonly redis: Redis,
    /** `${prefix}:monitor`. */
    private readonly keyPrefix: string,
    private readonly logger: Logger,
  ) {}

  /** Newest first; records that no longer parse (an older format) are left out. */
  async list(model: string): Promise<RetrainRecord[]> {
    const all = await this.redis.hgetall(this.key(model));
    const records: RetrainRecord[] = [];
    for (const json of Object.values(all)) {
      const parsed = retrainRecordSchema.safeParse(safeJson(json));
      if (parsed.success) records.push(parsed.data);
    }
    return records.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  /** Stores a record and trims the model's history; a Redis failure is logged, not thrown. */
  async save(id: string, record: RetrainRecord): Promise<void> {
    const key = this.key(record.model);
    try {
      await this.redis.hset(key, id, JSON.stringify(record));
      const all = await this.redis.hgetall(key);
      const ids = Object.entries(all)
        .map(([k, v]) => ({
          k,
          at: retrainRecordSchema.safeParse(safeJson(v)).data?.requestedAt ?? '',
        }))
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(HISTORY_KEEP)
        .map((e) => e.k);
      if (ids.length > 0) await this.redis.hdel(key, ...ids);
    } catch (err) {
      this.logger.warn({ err, model: record.model }, 'could not store retraining history');
    }
  }

  private key(model: string): string {
    return `${this.keyPrefix}:retrain:history:${model}`;
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
