import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Tags and version descriptions (issue #18, the MLflow-compatible registry API): MLflow's
// registered models and model versions carry key/value tags and a description each. Tags of a
// registered model are stored with version 0 (versions are numbered from 1), so one table and
// one primary key serve both. Portable like 0002 (text, integers).
export const migration0104: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('model_tags')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_tags_pk', ['model', 'version', 'key'])
      .execute();
    await db.schema.alterTable('model_versions').addColumn('description', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('model_versions').dropColumn('description').execute();
    await db.schema.dropTable('model_tags').ifExists().execute();
  },
};
