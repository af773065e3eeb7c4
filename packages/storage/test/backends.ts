import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgresDb, openSqliteDb, type Db } from '../src';
import { createTestPostgres, INFRA } from '../src/testing';

export type DbKind = 'sqlite' | 'postgres';

export interface TestDb {
  kind: DbKind;
  db: Db;
  close(): Promise<void>;
}

/** A fresh, migrated database of `kind` (default: Postgres under MLOPS_TEST_INFRA=1, else SQLite). */
export async function openTestDb(kind: DbKind = INFRA ? 'postgres' : 'sqlite'): Promise<TestDb> {
  if (kind === 'postgres') {
    const pg = await createTestPostgres();
    const db = await openPostgresDb(pg.url, { max: 20 });
    return {
      kind,
      db,
      async close() {
        await db.destroy();
        await pg.drop();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-db-'));
  const db = await openSqliteDb(path.join(dir, 'db.sqlite'));
  return {
    kind,
    db,
    async close() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
