/**
 * The admin URL of the tests' Postgres server (its maintenance database). Read when called, not
 * at import: the global setup (postgres-setup.ts) may point it at a server it started.
 */
export function testPostgresUrl(): string {
  return process.env.MLOPS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}
