import type { Kysely, Migration } from 'kysely';

// FROZEN once shipped: add a new file instead of editing this one.
// Webhook secrets are stored sealed (AES-256-GCM, see @mlops/webhooks SecretBox), never in clear.
// SQL cannot encrypt, so the column is renamed here and the registry seals the values still in
// clear (rows from before this migration) at start, before any delivery.
export const migration0103: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhooks').renameColumn('secret', 'secret_sealed').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('webhooks').renameColumn('secret_sealed', 'secret').execute();
  },
};
