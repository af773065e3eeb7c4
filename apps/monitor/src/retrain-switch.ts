import type { Redis } from 'ioredis';
import { retrainSwitchSchema, type RetrainSwitch } from '@mlops/contracts';

/**
 * Whether the monitor may retrain (and promote) a model on its own: off until a person turns it
 * on, per model. Kept in Redis so every replica agrees and it survives restarts. The operator's
 * MONITOR_RETRAIN_MODELS is the default for models nobody switched; a switch set here wins.
 */
export class RetrainSwitches {
  constructor(
    private readonly redis: Redis,
    /** `${prefix}:monitor`. */
    private readonly keyPrefix: string,
    /** The default of a model nobody switched (MONITOR_RETRAIN_MODELS). */
    private readonly byDefault: (model: string) => boolean,
  ) {}

  private get key(): string {
    return `${this.keyPrefix}:retrain:switches`;
  }

  async get(model: string): Promise<RetrainSwitch> {
    const raw = await this.redis.hget(this.key, model);
    const stored = raw ? retrainSwitchSchema.safeParse(safeJson(raw)) : undefined;
    if (stored?.success) return stored.data;
    return { model, enabled: this.byDefault(model), by: null, at: null, reason: null };
  }

  async set(
    model: string,
    enabled: boolean,
    by: string,
    reason: string | undefined,
  ): Promise<RetrainSwitch> {
    const value: RetrainSwitch = {
      model,
      enabled,
      by,
      at: new Date().toISOString(),
      reason: reason ?? null,
    };
    await this.redis.hset(this.key, model, JSON.stringify(value));
    return value;
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
