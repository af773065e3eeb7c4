import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Hyperparameter sweeps: a trial run points at its sweep's (parent) run.
export const migration0101: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('runs').addColumn('parent_run_id', 'text').execute();
    await db.schema
      .createIndex('runs_parent')
      .on('runs')
      .columns(['parent_run_id', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('runs_parent').ifExists().execute();
    await db.schema.alterTable('runs').dropColumn('parent_run_id').execute();
  },
};
