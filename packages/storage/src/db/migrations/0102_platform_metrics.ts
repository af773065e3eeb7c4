import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Platform-computed metrics (issue #16): the promotion gate must not trust what a client wrote
// into a manifest. A version's platform metrics (its run's held-out evaluation or a
// re-evaluation) are stored apart from the manifest; re-evaluations are rows of their own; a
// policy can require platform metrics. Existing policies require them too (default 1): a gate
// that kept reading claimed numbers would keep the hole open; `policies.set` with
// `requirePlatformMetrics: false` opts out. Portable like 0002 (JSON as text, 0/1 booleans).
export const migration0102: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('model_versions')
      .addColumn('platform_metrics_json', 'text')
      .execute();
    await db.schema
      .alterTable('promotion_policies')
      .addColumn('require_platform_metrics', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    // The benchmark a policy pins (name + version, both null when none).
    await db.schema
      .alterTable('promotion_policies')
      .addColumn('evaluation_dataset_name', 'text')
      .execute();
    await db.schema
      .alterTable('promotion_policies')
      .addColumn('evaluation_dataset_version', 'integer')
      .execute();
    await db.schema
      .createTable('version_evaluations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('dataset_name', 'text', (c) => c.notNull())
      .addColumn('dataset_version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('metrics_json', 'text', (c) => c.notNull())
      .addColumn('rows', 'integer')
      .addColumn('error', 'text')
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('completed_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema
      .createIndex('version_evaluations_version')
      .on('version_evaluations')
      .columns(['model', 'version', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('version_evaluations').ifExists().execute();
    await db.schema
      .alterTable('promotion_policies')
      .dropColumn('require_platform_metrics')
      .execute();
    await db.schema.alterTable('model_versions').dropColumn('platform_metrics_json').execute();
  },
};
