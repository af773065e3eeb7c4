import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema';
import { migrateToLatest } from './migrate';

export type Db = Kysely<Database>;

/**
 * Open (and migrate) the embedded SQLite database. WAL lets readers in other processes (the
 * CLI) read while the registry writes; busy_timeout makes a second writer wait instead of
 * failing at once.
 */
export async function openSqliteDb(file: string): Promise<Db> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/** The database file of a data directory. */
export function sqliteFileOf(dataDir: string): string {
  return path.join(dataDir, 'registry.sqlite');
}

/** Cheap readiness probe. */
export async function pingDb(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
