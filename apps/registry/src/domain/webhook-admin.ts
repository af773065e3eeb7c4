import { randomBytes } from 'node:crypto';
import { AppError, type Webhook, type WebhookDelivery } from '@mlops/contracts';
import { deleteWebhook, insertWebhook, listDeliveries, listWebhooks } from '@mlops/storage';
import type { RegistryDeps } from '../deps';

export async function createWebhook(
  deps: RegistryDeps,
  input: { url: string; eventTypes: string[]; secret?: string | undefined },
): Promise<Webhook & { secret: string }> {
  const hook = await insertWebhook(deps.db, {
    id: `whk_${randomBytes(9).toString('base64url')}`,
    url: input.url,
    eventTypes: [...new Set(input.eventTypes)],
    active: true,
    createdAt: new Date().toISOString(),
    secret: input.secret ?? randomBytes(32).toString('base64url'),
  });
  return hook;
}

export async function webhooksOf(deps: RegistryDeps): Promise<Webhook[]> {
  return (await listWebhooks(deps.db)).map(({ secret: _secret, ...hook }) => hook);
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
