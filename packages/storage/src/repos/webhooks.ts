import {
  webhookDeliverySchema,
  webhookSchema,
  type Webhook,
  type WebhookDelivery,
} from '@mlops/contracts';
import { sql, SqliteAdapter } from 'kysely';
import type { Db } from '../db/connection';
import type { WebhookDeliveryRow, WebhookRow } from '../db/tables/governance';
import { parseJsonColumn } from './json';

export interface StoredWebhook extends Webhook {
  /**
   * HMAC key as the registry sealed it (it signs every delivery, so it is kept, not hashed);
   * never returned by list. Storage does not open it: the key lives with the registry.
   */
  sealedSecret: string;
}

export async function insertWebhook(db: Db, hook: StoredWebhook): Promise<StoredWebhook> {
  const row = await db
    .insertInto('webhooks')
    .values({
      id: hook.id,
      url: hook.url,
      secret_sealed: hook.sealedSecret,
      event_types_json: JSON.stringify(hook.eventTypes),
      active: hook.active ? 1 : 0,
      created_at: hook.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(row);
}

export async function listWebhooks(db: Db): Promise<StoredWebhook[]> {
  const rows = await db
    .selectFrom('webhooks')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toWebhook);
}

export async function getWebhook(db: Db, id: string): Promise<StoredWebhook | undefined> {
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWebhook(row) : undefined;
}

/** Replace a webhook's stored secret (sealing the rows written before secrets were sealed). */
export async function setWebhookSealedSecret(db: Db, id: string, sealed: string): Promise<void> {
  await db.updateTable('webhooks').set({ secret_sealed: sealed }).where('id', '=', id).execute();
}

/**
 * SQLite keeps the old image of an updated row in free pages and in the WAL until they are
 * reused, so a secret replaced by its sealed form could still be read from the file: VACUUM
 * rewrites the file without them and the checkpoint empties the WAL. (Postgres: dead tuples
 * stay until VACUUM reuses them, inside the server's own files.)
 */
export async function purgeFreedPages(db: Db): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`VACUUM`.execute(db);
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}

export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/**
 * Record a delivery once: the id is `<webhook>:<event>`, so two registry replicas seeing the
 * same event race on the primary key and only the winner (true) delivers it.
 */
export async function claimDelivery(
  db: Db,
  input: { webhookId: string; eventId: string; eventType: string; now: string },
): Promise<WebhookDelivery | undefined> {
  const row = await db
    .insertInto('webhook_deliveries')
    .values({
      id: `${input.webhookId}:${input.eventId}`,
      webhook_id: input.webhookId,
      event_id: input.eventId,
      event_type: input.eventType,
      status: 'pending',
      attempts: 0,
      last_status_code: null,
      last_error: null,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toDelivery(row) : undefined;
}

export async function recordAttempt(
  db: Db,
  id: string,
  patch: {
    status: WebhookDelivery['status'];
    statusCode: number | null;
    error: string | null;
    now: string;
  },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: patch.status,
      attempts: eb('attempts', '+', 1),
      last_status_code: patch.statusCode,
      last_error: patch.error,
      updated_at: patch.now,
    }))
    .where('id', '=', id)
    .execute();
}

export async function listDeliveries(
  db: Db,
  opts: { webhookId: string; limit: number },
): Promise<WebhookDelivery[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', opts.webhookId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map(toDelivery);
}

function toWebhook(row: WebhookRow): StoredWebhook {
  return {
    ...webhookSchema.parse({
      id: row.id,
      url: row.url,
      eventTypes: parseJsonColumn(
        webhookSchema.shape.eventTypes,
        row.event_types_json,
        'webhook event types',
      ),
      active: Number(row.active) === 1,
      createdAt: row.created_at,
    }),
    sealedSecret: row.secret_sealed,
  };
}

function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return webhookDeliverySchema.parse({
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: Number(row.attempts),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
