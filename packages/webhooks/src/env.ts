import { z } from 'zod';
import { parseAllowList } from './address-policy';

/**
 * Environment of every app that sends webhooks (registry, monitor): spread into the app's own
 * `env.ts` schema so each variable is parsed, and refused with its name, in one place.
 */
export const webhookEnv = {
  /**
   * Hosts, addresses or CIDR ranges webhooks may reach although they are not public
   * (`127.0.0.1,hooks.internal,10.1.0.0/16`). Empty: public addresses only.
   */
  MLOPS_WEBHOOK_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      try {
        return parseAllowList(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Whole delivery attempt, connect to response. */
  MLOPS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Attempts per delivery, the first included. */
  MLOPS_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Delay before the second attempt; doubles for each one after. */
  MLOPS_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
};

export const secretKeyEnv = {
  /**
   * Key that seals stored secrets (AES-256-GCM, derived with HKDF): 32+ characters. Unset: a
   * key generated into `<MLOPS_DATA_DIR>/secret-key` (mode 0600).
   */
  MLOPS_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
};

export interface WebhookSettings {
  policy: ReturnType<typeof parseAllowList>;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
}

/** The parsed fragment as the options the queue takes. */
export function webhookSettingsOf(env: {
  MLOPS_WEBHOOK_ALLOW_HOSTS: ReturnType<typeof parseAllowList>;
  MLOPS_WEBHOOK_TIMEOUT_MS: number;
  MLOPS_WEBHOOK_ATTEMPTS: number;
  MLOPS_WEBHOOK_BACKOFF_MS: number;
}): WebhookSettings {
  return {
    policy: env.MLOPS_WEBHOOK_ALLOW_HOSTS,
    timeoutMs: env.MLOPS_WEBHOOK_TIMEOUT_MS,
    attempts: env.MLOPS_WEBHOOK_ATTEMPTS,
    backoffMs: env.MLOPS_WEBHOOK_BACKOFF_MS,
  };
}
