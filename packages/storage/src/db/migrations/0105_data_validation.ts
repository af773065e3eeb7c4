import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Data validation as dataset state (issue #19): each dataset version stores the anomalies found
// against the previous version of its name (null on older rows: they were never checked); a
// per-dataset policy can refuse training on a version with anomalies. Runs record the rows
// their training used and dropped (null target) and their loss per epoch, which were only in
// the trainer's log and in throttled progress. Portable like 0002 (JSON as text).
export const migration0105: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('datasets').addColumn('validation_json', 'text').execute();
    await db.schema
      .createTable('dataset_policies')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('block_training', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('runs').addColumn('rows_json', 'text').execute();
    await db.schema.alterTable('runs').addColumn('curve_json', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('runs').dropColumn('curve_json').execute();
    await db.schema.alterTable('runs').dropColumn('rows_json').execute();
    await db.schema.dropTable('dataset_policies').ifExists().execute();
    await db.schema.alterTable('datasets').dropColumn('validation_json').execute();
  },
};
