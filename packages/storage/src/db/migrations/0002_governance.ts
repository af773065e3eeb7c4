import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Tokens, promotion policies, richer alias audit, signature compatibility and webhooks.
// Portable like 0001: text ids and timestamps, JSON as text, booleans as 0/1 integers,
// `double precision` for metric numbers (SQLite accepts any type name, Postgres needs a real one).
export const migration0002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('scopes_json', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('promotion_policies')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('greater_is_better', 'integer', (c) => c.notNull())
      .addColumn('threshold', 'double precision')
      .addColumn('min_absolute_change', 'double precision')
      .addColumn('min_relative_change', 'double precision')
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('promotion_policies_pk', ['model', 'alias'])
      .execute();

    await db.schema.alterTable('alias_history').addColumn('verdict_json', 'text').execute();
    await db.schema.alterTable('alias_history').addColumn('reason', 'text').execute();
    await db.schema
      .alterTable('alias_history')
      .addColumn('forced', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('alias_history_model_alias')
      .on('alias_history')
      .columns(['model', 'alias', 'id'])
      .execute();

    await db.schema.alterTable('model_versions').addColumn('compat_json', 'text').execute();

    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('event_types_json', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_webhook')
      .on('webhook_deliveries')
      .columns(['webhook_id', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['webhook_deliveries', 'webhooks', 'promotion_policies', 'api_tokens']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
