import { SqliteAdapter, sql } from 'kysely';
import type { Db } from './connection';

/**
 * Run `fn` in a write transaction.
 *
 * SQLite: Kysely's SQLite driver owns a single connection guarded by a mutex, so concurrent
 * calls in one process queue up rather than interleave; `BEGIN IMMEDIATE` additionally takes
 * the write lock up front, so another process cannot slip a write between our read and our
 * write (a deferred `BEGIN` would fail with SQLITE_BUSY on lock upgrade instead).
 * Postgres: an ordinary (read committed) transaction; callers that read-then-write a counter
 * take `lockKey` first.
 *
 * Inside `fn` use only the given `trx`: touching the outer `db` would wait for the mutex that
 * this very transaction holds.
 */
export async function writeTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

/**
 * Serialize writers of one logical key (e.g. `versions:iris`) until the transaction ends.
 * Postgres: a transaction-scoped advisory lock, so two registrations of the same model cannot
 * both read `max(version)` before either writes. SQLite: nothing to do, `BEGIN IMMEDIATE`
 * already serializes every writer.
 */
export async function lockKey(trx: Db, key: string): Promise<void> {
  if (isSqlite(trx)) return;
  await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

export function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
