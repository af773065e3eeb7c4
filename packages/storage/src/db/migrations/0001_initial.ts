import { SqliteAdapter, type Kysely, type Migration } from 'kysely';

// FROZEN: never edit a migration that has shipped; add a new file instead.
// Portable on purpose (SQLite now, Postgres later): text ids, ISO-8601 text timestamps,
// JSON stored as text, integers for counters.
export const migration0001: Migration = {
  async up(db: Kysely<unknown>) {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    await db.schema
      .createTable('datasets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('row_count', 'integer', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('schema_json', 'text', (c) => c.notNull())
      .addColumn('profile_json', 'text', (c) => c.notNull())
      .addColumn('blob_sha256', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('datasets_name_version_unique', ['name', 'version'])
      .execute();
    await db.schema
      .createIndex('datasets_name_hash')
      .on('datasets')
      .columns(['name', 'hash'])
      .execute();

    await db.schema
      .createTable('runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('spec_json', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('dataset_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('progress_json', 'text')
      .addColumn('metrics_json', 'text', (c) => c.notNull())
      .addColumn('backend', 'text')
      .addColumn('error', 'text')
      .addColumn('model_version', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema
      .createIndex('runs_model_created')
      .on('runs')
      .columns(['model_name', 'created_at'])
      .execute();

    await db.schema
      .createTable('models')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('latest_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('model_versions')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.unique())
      .addColumn('manifest_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_versions_pk', ['model', 'version'])
      .execute();

    await db.schema
      .createTable('aliases')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('aliases_pk', ['model', 'alias'])
      .execute();

    await db.schema
      .createTable('alias_history')
      // The one dialect-specific column: an increasing id orders the audit trail exactly.
      .addColumn('id', 'integer', (c) =>
        sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('from_version', 'integer')
      .addColumn('to_version', 'integer')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('json', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_at').on('events').column('at').execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'events',
      'alias_history',
      'aliases',
      'model_versions',
      'models',
      'runs',
      'datasets',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
