import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Pipelines as registry state (issue #20): the latest definition per name, runs (each keeps the
// definition it started with, so re-registering does not change a run in flight), one row per
// step of a run, and the step cache (key → outputs, with its hit count). A trigger key is
// unique so one trigger window starts one run. Portable like 0002 (JSON as text, flags 0/1).
export const migration0107: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pipelines')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('definition_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('pipeline_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pipeline', 'text', (c) => c.notNull())
      .addColumn('pipeline_version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('definition_json', 'text', (c) => c.notNull())
      .addColumn('parameters_json', 'text', (c) => c.notNull())
      .addColumn('trigger_kind', 'text', (c) => c.notNull())
      .addColumn('trigger_detail', 'text')
      .addColumn('trigger_key', 'text')
      .addColumn('no_cache', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema
      .createIndex('pipeline_runs_by_pipeline')
      .on('pipeline_runs')
      .columns(['pipeline', 'created_at'])
      .execute();
    await db.schema
      .createIndex('pipeline_runs_trigger_key')
      .on('pipeline_runs')
      .column('trigger_key')
      .unique()
      .execute();
    await db.schema
      .createTable('pipeline_steps')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('uses', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('cached', 'integer', (c) => c.notNull())
      .addColumn('cache_key', 'text')
      .addColumn('inputs_json', 'text')
      .addColumn('outputs_json', 'text')
      .addColumn('state_json', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addPrimaryKeyConstraint('pipeline_steps_pk', ['run_id', 'step_id'])
      .execute();
    await db.schema
      .createTable('pipeline_step_cache')
      .addColumn('cache_key', 'text', (c) => c.primaryKey())
      .addColumn('uses', 'text', (c) => c.notNull())
      .addColumn('outputs_json', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addColumn('last_hit_at', 'text')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('pipeline_step_cache').ifExists().execute();
    await db.schema.dropTable('pipeline_steps').ifExists().execute();
    await db.schema.dropIndex('pipeline_runs_trigger_key').ifExists().execute();
    await db.schema.dropIndex('pipeline_runs_by_pipeline').ifExists().execute();
    await db.schema.dropTable('pipeline_runs').ifExists().execute();
    await db.schema.dropTable('pipelines').ifExists().execute();
  },
};
