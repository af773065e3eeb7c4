import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { errorBodySchema, type ErrorBody } from '@mlops/contracts';
import { buildApp } from '../src/app';
import { createDeps, type RegistryDeps } from '../src/deps';
import type { ImageLimits } from '../src/domain/datasets/images/limits';
import type { WebhookOptions } from '../src/domain/webhooks';
import { createTestPostgres, INFRA, startTestS3 } from '@mlops/storage/testing';
import type { S3StoreConfig } from '@mlops/storage';
import { deleteRedisKeys } from '@mlops/config';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TOKEN = 'test-token-0123456789abcdef';

export interface TestRegistry {
  app: FastifyInstance;
  deps: RegistryDeps;
  dir: string;
  prefix: string;
  auth: { authorization: string };
  /** What a replica shares: the database (Postgres under MLOPS_TEST_INFRA) and the S3 store. */
  shared: { databaseUrl?: string; s3?: S3StoreConfig };
  close(): Promise<void>;
}

/**
 * A registry on a fresh temp data dir and a random Redis prefix; close() removes both. Under
 * MLOPS_TEST_INFRA=1 (npm run test:infra) it runs on a fresh Postgres database and an
 * in-process S3 server with a fresh bucket instead of SQLite and the filesystem.
 */
export async function startTestRegistry(
  opts: {
    webhooks?: WebhookOptions;
    imageLimits?: Partial<ImageLimits>;
    /** A second replica of this registry: same data dir, database, store and Redis prefix. */
    replicaOf?: TestRegistry;
  } = {},
): Promise<TestRegistry> {
  const of = opts.replicaOf;
  const dir = of?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'registry-test-'));
  const prefix = of?.prefix ?? `test-${randomUUID()}`;
  const pg = INFRA && !of ? await createTestPostgres() : undefined;
  const s3 = INFRA && !of ? await startTestS3() : undefined;
  const shared = of?.shared ?? {
    ...(pg ? { databaseUrl: pg.url } : {}),
    ...(s3 ? { s3: s3.config } : {}),
  };
  const deps = await createDeps({
    dataDir: dir,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    adminToken: TOKEN,
    maxUploadBytes: 10 * 1024 * 1024,
    logLevel: 'silent',
    ...(shared.databaseUrl ? { databaseUrl: shared.databaseUrl } : {}),
    ...(shared.s3 ? { s3: { ...shared.s3, createBucket: !of } } : {}),
    webhooks: opts.webhooks ?? { backoffMs: 10 },
    ...(opts.imageLimits ? { imageLimits: opts.imageLimits } : {}),
  });
  const app = await buildApp(deps, { logLevel: 'silent' });
  await app.ready();
  return {
    app,
    deps,
    dir,
    prefix,
    auth: { authorization: `Bearer ${TOKEN}` },
    shared,
    async close() {
      await app.close();
      if (of) return; // the first one removes what they share
      await deleteKeys(prefix);
      await pg?.drop();
      await s3?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await deleteRedisKeys(redis, `${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}

/** Every file under a directory, recursively (to prove failed uploads leave nothing). */
export function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

export const IRIS_CSV =
  [
    'sepal_length,sepal_width,species,is_big',
    '5.1,3.5,setosa,false',
    '4.9,3.0,setosa,false',
    '6.3,3.3,virginica,true',
    '5.8,,virginica,true',
    '6.0,2.9,versicolor,NA',
  ].join('\n') + '\n';

/** tRPC over HTTP via inject: POST for mutations, GET for queries. */
export async function trpc(
  app: FastifyInstance,
  kind: 'query' | 'mutation',
  pathName: string,
  input: unknown,
  headers: Record<string, string> = {},
) {
  const res =
    kind === 'mutation'
      ? await app.inject({
          method: 'POST',
          url: `/trpc/${pathName}`,
          payload: JSON.stringify(input),
          headers: { 'content-type': 'application/json', ...headers },
        })
      : await app.inject({
          method: 'GET',
          url: `/trpc/${pathName}?input=${encodeURIComponent(JSON.stringify(input))}`,
          headers,
        });
  const body = res.json<{
    result?: { data: unknown };
    error?: {
      message: string;
      data: {
        appCode: string;
        details?: Array<{ path?: string; message: string }>;
        httpStatus: number;
      };
    };
  }>();
  return { status: res.statusCode, data: body.result?.data, error: body.error };
}

/** The REST error body of a response, parsed (fails the test when it is not one). */
export function errorOf(res: LightMyRequestResponse): ErrorBody['error'] {
  return errorBodySchema.parse(res.json()).error;
}

/** The training spec most tests create runs with: a classifier of `species` on `iris`. */
export function irisRun(modelName: string) {
  return {
    modelName,
    dataset: { name: 'iris' },
    task: 'classification',
    target: 'species',
  } as const;
}
