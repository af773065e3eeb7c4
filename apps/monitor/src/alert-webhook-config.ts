import { resolveTarget, TargetRefusedError, webhookSettingsOf } from '@mlops/webhooks';
import type { MonitorEnv } from './env';
import type { AlertWebhookOptions } from './webhook';

/**
 * The alert webhook of the environment, or undefined when none is configured; throws (the
 * monitor stops at start) naming the variable when the URL is not a public address nor
 * allow-listed, or when the secret is missing or is the monitor's platform token. The target
 * is checked again at every delivery.
 */
export async function alertWebhookOf(
  env: MonitorEnv,
  platformToken: string | undefined,
): Promise<Omit<AlertWebhookOptions, 'redisUrl' | 'bullPrefix' | 'logger'> | undefined> {
  const url = env.MONITOR_ALERT_WEBHOOK_URL;
  if (!url) return undefined;
  const secret = env.MONITOR_ALERT_WEBHOOK_SECRET;
  if (!secret)
    throw new Error('MONITOR_ALERT_WEBHOOK_URL needs MONITOR_ALERT_WEBHOOK_SECRET to sign with');
  if (secret === platformToken)
    throw new Error('MONITOR_ALERT_WEBHOOK_SECRET must be its own secret, not MLOPS_TOKEN');
  const settings = webhookSettingsOf(env);
  try {
    await resolveTarget(url, settings.policy);
  } catch (err) {
    if (!(err instanceof TargetRefusedError)) throw err;
    throw new Error(
      `MONITOR_ALERT_WEBHOOK_URL: ${err.message}; list the host in MLOPS_WEBHOOK_ALLOW_HOSTS to allow it`,
    );
  }
  return { url, secret, ...settings };
}
