import { randomBytes } from 'node:crypto';
import { AppError, type Webhook, type WebhookDelivery } from '@mlops/contracts';
import {
  deleteWebhook,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  type StoredWebhook,
} from '@mlops/storage';
import { resolveTarget, TargetRefusedError } from '@mlops/webhooks';
import type { RegistryDeps } from '../deps';
import { secretContextOf } from './webhooks';

/**
 * A new webhook: its URL checked now (it is checked again at every delivery, DNS may change),
 * its own secret (generated unless given, never the admin token) sealed before it is stored
 * and shown this once.
 */
export async function createWebhook(
  deps: RegistryDeps,
  input: { url: string; eventTypes: string[]; secret?: string | undefined },
): Promise<Webhook & { secret: string }> {
  try {
    await resolveTarget(input.url, deps.webhooks.policy);
  } catch (err) {
    if (!(err instanceof TargetRefusedError)) throw err;
    deps.metrics.webhookTargetsRefused.inc();
    throw new AppError(
      'VALIDATION_FAILED',
      `url: ${err.message} (webhooks reach public addresses only unless MLOPS_WEBHOOK_ALLOW_HOSTS lists the target)`,
      [{ path: 'url', message: err.message }],
    );
  }
  if (input.secret !== undefined && input.secret === deps.adminToken)
    throw new AppError('VALIDATION_FAILED', 'secret: must not be the admin token', [
      { path: 'secret', message: 'must not be the admin token; omit it to get a generated one' },
    ]);
  const id = `whk_${randomBytes(9).toString('base64url')}`;
  const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
  const hook = await insertWebhook(deps.db, {
    id,
    url: input.url,
    eventTypes: [...new Set(input.eventTypes)],
    active: true,
    createdAt: new Date().toISOString(),
    sealedSecret: deps.secrets.seal(secret, secretContextOf(id)),
  });
  return { ...publicOf(hook), secret };
}

function publicOf({ sealedSecret: _sealed, ...hook }: StoredWebhook): Webhook {
  return hook;
}

export async function webhooksOf(deps: RegistryDeps): Promise<Webhook[]> {
  return (await listWebhooks(deps.db)).map(publicOf);
}

export async function removeWebhook(deps: RegistryDeps, id: string): Promise<{ deleted: boolean }> {
  return { deleted: await deleteWebhook(deps.db, id) };
}

export async function deliveriesOf(
  deps: RegistryDeps,
  id: string,
  limit: number,
): Promise<WebhookDelivery[]> {
  if (!(await listWebhooks(deps.db)).some((h) => h.id === id))
    throw new AppError('NOT_FOUND', `webhook ${id} does not exist; list them with webhooks.list`);
  return listDeliveries(deps.db, { webhookId: id, limit });
}
