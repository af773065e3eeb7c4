import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Model tests at registration (issue #19): the trainer runs the platform's model tests
// (baselines, slices, calibration, replay, budgets, declared behavioural tests) on the held-out
// split and the registry stores them as version state, apart from the manifest. A promotion
// policy may require them all passed and a minimum lift over the strongest baseline; existing
// policies keep their behaviour (0 and null). Portable like 0002 (JSON as text, 0/1 booleans).
export const migration0106: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('model_versions').addColumn('model_tests_json', 'text').execute();
    await db.schema
      .alterTable('promotion_policies')
      .addColumn('require_model_tests', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('promotion_policies')
      .addColumn('min_baseline_lift', 'double precision')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('promotion_policies').dropColumn('min_baseline_lift').execute();
    await db.schema.alterTable('promotion_policies').dropColumn('require_model_tests').execute();
    await db.schema.alterTable('model_versions').dropColumn('model_tests_json').execute();
  },
};
