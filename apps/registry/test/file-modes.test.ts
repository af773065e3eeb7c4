import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createDeps, type RegistryDeps } from '../src/deps';
import { IRIS_CSV, REDIS_URL, TOKEN, deleteKeys, filesUnder } from './helpers';
import { buildApp } from '../src/app';

// Issue #16, item 10: registry.sqlite, its WAL and the artifacts were readable by every user.
const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

let dir: string;
let deps: RegistryDeps;
let app: FastifyInstance;
const prefix = `test-modes-${process.pid}`;

beforeAll(async () => {
  // A data dir as an earlier version left it: world-readable, with a world-readable database.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-modes-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'artifacts'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'registry.sqlite'), '', { mode: 0o644 });
  fs.chmodSync(path.join(dir, 'registry.sqlite'), 0o644);
  deps = await createDeps({
    dataDir: dir,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    adminToken: TOKEN,
    maxUploadBytes: 1024 * 1024,
    logLevel: 'silent',
  });
  app = await buildApp(deps, { logLevel: 'silent' });
});
afterAll(async () => {
  await app.close(); // closes deps too
  await deleteKeys(prefix);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the data directory is owner-only', () => {
  it('tightens an existing data dir and writes every file 0600, every dir 0700', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/datasets/iris',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      payload: IRIS_CSV,
    });
    expect(res.statusCode).toBe(201);

    expect(modeOf(dir)).toBe(0o700);
    for (const name of ['tmp', 'artifacts']) expect(modeOf(path.join(dir, name))).toBe(0o700);
    const db = path.join(dir, 'registry.sqlite');
    expect(fs.existsSync(`${db}-wal`)).toBe(true);
    for (const file of [db, `${db}-wal`, `${db}-shm`]) expect(modeOf(file)).toBe(0o600);
    const blobs = filesUnder(path.join(dir, 'artifacts'));
    expect(blobs.length).toBeGreaterThan(0);
    for (const file of blobs) {
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(path.dirname(file))).toBe(0o700);
    }
  });
});
