import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Lineage across the pipeline graph (issue #20): which pipeline step run produced an artifact.
// One small table instead of a column pair on each of datasets, runs, model_versions and
// alias_history: the artifact tables stay as they are, and "what did this run produce" is one
// indexed read. `kind` is dataset-version | training-run | model-version | alias-move and `ref`
// the artifact's key in its own table (dataset id, run id, `<model>/<version>`, history id).
// Portable like 0107 (text keys and dates).
export const migration0108: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('artifact_producers')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('pipeline_run_id', 'text', (c) => c.notNull())
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('artifact_producers_pk', ['kind', 'ref'])
      .execute();
    await db.schema
      .createIndex('artifact_producers_by_run')
      .on('artifact_producers')
      .columns(['pipeline_run_id', 'step_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('artifact_producers_by_run').ifExists().execute();
    await db.schema.dropTable('artifact_producers').ifExists().execute();
  },
};
