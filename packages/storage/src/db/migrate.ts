import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migration0001 } from './migrations/0001_initial';
import { migration0002 } from './migrations/0002_governance';
import { migration0101 } from './migrations/0101_sweeps';
import { migration0102 } from './migrations/0102_platform_metrics';
import { migration0103 } from './migrations/0103_webhook_secrets_sealed';
import { migration0104 } from './migrations/0104_model_metadata';
import { migration0105 } from './migrations/0105_data_validation';
import { migration0106 } from './migrations/0106_model_tests';
import { migration0107 } from './migrations/0107_pipelines';
import { migration0108 } from './migrations/0108_artifact_producers';

/** Migrations live in code (no directory scanning), so bundlers and tsx see the same list. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': migration0001,
  '0002_governance': migration0002,
  '0101_sweeps': migration0101,
  '0102_platform_metrics': migration0102,
  '0103_webhook_secrets_sealed': migration0103,
  '0104_model_metadata': migration0104,
  '0105_data_validation': migration0105,
  '0106_model_tests': migration0106,
  '0107_pipelines': migration0107,
  '0108_artifact_producers': migration0108,
};

class InCodeMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(MIGRATIONS);
  }
}

/** Apply every pending migration; throws with the failing migration's name. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(
      `database migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
