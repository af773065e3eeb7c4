import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { chmodIfPresent, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../private-files';
import type { Database } from './schema';
import { migrateToLatest } from './migrate';

export type Db = Kysely<Database>;

/**
 * Open (and migrate) the embedded SQLite database. WAL lets readers in other processes (the
 * CLI) read while the registry writes; busy_timeout makes a second writer wait instead of
 * failing at once.
 */
export async function openSqliteDb(file: string): Promise<Db> {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    // SQLite gives its -wal and -shm files the database file's mode: create it owner-only
    // (and tighten files an earlier version left readable to everyone).
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodIfPresent(f, PRIVATE_FILE_MODE);
  }
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return migrated(db);
}

// int8 (bigint, count(*)) comes back from pg as a string; every such value here (sizes,
// counts) fits a double, so parse it where the pool is made instead of at every call site.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(
          oid,
          format ?? 'text',
        ) as unknown)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Pool size (default 10). */
  max?: number;
  /** How long to wait for a connection before failing (default 5 s): a down database must
   *  answer 503 quickly, not hang the request. */
  connectionTimeoutMillis?: number;
}

/** Open (and migrate) Postgres at `url` (`postgres://user:pass@host:port/db`). */
export async function openPostgresDb(url: string, opts: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5_000,
    types: pgTypes,
  });
  // An idle client losing its server emits 'error' on the pool; without a listener that would
  // crash the process. The next query reconnects (and fails with 503 while the server is down).
  pool.on('error', () => undefined);
  // Same for a checked-out client between queries: its socket closing would otherwise be an
  // unhandled 'error' event. A query in flight still rejects with the error (→ 503).
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return migrated(db);
}

/** `DATABASE_URL` (postgres://…) selects Postgres; otherwise the SQLite file. */
export async function openDatabase(opts: {
  databaseUrl?: string;
  sqliteFile: string;
}): Promise<Db> {
  if (opts.databaseUrl) return openPostgresDb(opts.databaseUrl);
  return openSqliteDb(opts.sqliteFile);
}

async function migrated(db: Db): Promise<Db> {
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
