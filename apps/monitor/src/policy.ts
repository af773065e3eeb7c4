import { z } from 'zod';
import { retrainPolicySchema } from '@mlops/contracts';
import type { RetrainPolicy } from '@mlops/contracts';
import type { MonitorEnv } from './env';

const overridesSchema = z.record(z.string(), retrainPolicySchema.partial().strict());

/**
 * The retraining policy of each model: defaults from `MONITOR_RETRAIN_*`, enabled for the models
 * in `MONITOR_RETRAIN_MODELS` (`*` for all), and per-model overrides in `MONITOR_RETRAIN_POLICIES`
 * (JSON: `{"iris": {"minAccuracy": 0.9}}`). A bad value stops the monitor at start, naming it.
 */
export function retrainPolicies(env: MonitorEnv): (model: string) => RetrainPolicy {
  const models = (env.MONITOR_RETRAIN_MODELS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const base = retrainPolicySchema.parse({
    on: env.MONITOR_RETRAIN_ON,
    minAccuracy: env.MONITOR_RETRAIN_MIN_ACCURACY,
    maxRmseRatio: env.MONITOR_RETRAIN_MAX_RMSE_RATIO,
    minFeedback: env.MONITOR_RETRAIN_MIN_FEEDBACK,
    cooldownMs: env.MONITOR_RETRAIN_COOLDOWN_MS,
    appendFeedback: env.MONITOR_RETRAIN_APPEND_FEEDBACK,
    alias: env.MONITOR_RETRAIN_ALIAS,
  });
  const overrides: z.infer<typeof overridesSchema> = {};
  if (env.MONITOR_RETRAIN_POLICIES) {
    let json: unknown;
    try {
      json = JSON.parse(env.MONITOR_RETRAIN_POLICIES);
    } catch {
      throw new Error(
        'MONITOR_RETRAIN_POLICIES must be JSON: {"<model>": {"minAccuracy": 0.9, …}}',
      );
    }
    const parsed = overridesSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `MONITOR_RETRAIN_POLICIES: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    // Keep only the keys the JSON set: zod fills defaults into the partial schema's output.
    for (const [model, given] of Object.entries(json as Record<string, object>)) {
      const full = parsed.data[model] ?? {};
      overrides[model] = Object.fromEntries(
        Object.keys(given).map((k) => [k, full[k as keyof typeof full]]),
      );
    }
  }
  return (model) => {
    const enabled = models.includes('*') || models.includes(model);
    return retrainPolicySchema.parse({ ...base, enabled, ...overrides[model] });
  };
}
