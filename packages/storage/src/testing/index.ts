// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- s3rver ships no types; a reference makes the declaration reach every workspace importing this file
/// <reference path="./s3rver.d.ts" />
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import S3rver from 's3rver';
import type { S3StoreConfig } from '../artifacts/s3-store';
import { testPostgresUrl } from './postgres-url';

/**
 * Real backends for tests (never mocks): a fresh Postgres database per call and an in-process
 * S3 protocol server (s3rver) per call. `MLOPS_TEST_INFRA=1` makes the suites use them; the
 * Postgres server is MLOPS_TEST_PG_URL's, or one that postgres-setup.ts starts.
 */
export const INFRA = process.env.MLOPS_TEST_INFRA === '1';

export interface TestPostgres {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE mlops_test_<random>; drop() removes it (forcing out leftover sessions). */
export async function createTestPostgres(): Promise<TestPostgres> {
  const name = `mlops_test_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface TestS3 {
  config: S3StoreConfig;
  port: number;
  /** Stop the server (the data directory is kept until close(), to test recovery). */
  stop(): Promise<void>;
  /** Start it again on the same port and directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** s3rver on a free loopback port with a fresh bucket (keys S3RVER/S3RVER, path style). */
export async function startTestS3(opts: { partSize?: number } = {}): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const bucket = `mlops-test-${randomBytes(4).toString('hex')}`;
  const make = (port: number) =>
    new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }],
    });
  let server = make(0);
  const { port } = await server.run();
  let running = true;
  return {
    port,
    config: {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      region: 'us-east-1',
      pathStyle: true,
      ...(opts.partSize !== undefined ? { partSize: opts.partSize } : {}),
    },
    async stop() {
      if (running) await server.close();
      running = false;
    },
    async restart() {
      if (running) return;
      server = make(port);
      await server.run();
      running = true;
    },
    async close() {
      if (running) await server.close();
      running = false;
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
