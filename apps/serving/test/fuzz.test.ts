/**
 * Fuzzed bad payloads: a few hundred random malformed bodies per protocol (seeded, so a failure
 * reproduces) must all be answered with a status below 500, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { mulberry32 } from '@mlops/ml/split';
import type { ServingApp } from '../src/app';
import { REDIS_URL, serveIris, tearDown, testPrefix } from './support/app';
import { BundleFactory } from './support/bundle';

const PER_PROTOCOL = 300;
const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomValue(r: Rand, depth = 0): unknown {
  const kinds =
    depth > 3
      ? ['num', 'str', 'bool', 'null']
      : ['num', 'str', 'bool', 'null', 'arr', 'obj', 'big', 'weird'];
  switch (pick(r, kinds)) {
    case 'num':
      return pick(r, [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, r() * 100]);
    case 'str':
      return pick(r, [
        '',
        'red',
        'x',
        '1.5',
        '\u0000',
        '__proto__',
        'constructor',
        'a'.repeat(300),
      ]);
    case 'bool':
      return r() < 0.5;
    case 'null':
      return null;
    case 'arr':
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 'big':
      return Array.from({ length: 50 }, () => randomValue(r, 4));
    case 'weird':
      return { __proto__: { x: 1 }, constructor: 'x', toString: 1 };
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 4); i++)
        o[
          pick(r, [
            'x',
            'y',
            'color',
            'name',
            'shape',
            'datatype',
            'data',
            'inputs',
            'instances',
            'columns',
            'z',
          ])
        ] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Mutate a valid body: drop, replace or retype one field somewhere. */
function mutate(r: Rand, value: unknown, depth = 0): unknown {
  if (depth > 5 || r() < 0.25) return randomValue(r);
  if (Array.isArray(value)) {
    if (value.length === 0 || r() < 0.2) return r() < 0.5 ? [] : [randomValue(r)];
    const i = Math.floor(r() * value.length);
    return value.map((v: unknown, j) => (j === i ? mutate(r, v, depth + 1) : v));
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return randomValue(r);
    const [k] = pick(r, entries);
    const out: Record<string, unknown> = { ...value };
    if (r() < 0.3) delete out[k];
    else out[k] = mutate(r, out[k], depth + 1);
    return out;
  }
  return randomValue(r);
}

const rawGarbage = [
  '',
  '{',
  '[]',
  'null',
  '"x"',
  '{"instances":',
  '{"inputs": [}',
  '\u0000\u0001',
  '{"a":1}{"b":2}',
  '1e999999',
  '{"instances":[{"x":1e999}]}',
];

const VALID = {
  tf: { instances: [{ x: 1, y: 1, color: 'red' }] },
  tfColumnar: { inputs: { x: [1], y: [1], color: ['red'] } },
  v2: {
    inputs: [
      { name: 'x', shape: [1], datatype: 'FP32', data: [1] },
      { name: 'y', shape: [1], datatype: 'FP32', data: [1] },
      { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
    ],
  },
  mlflow: { dataframe_split: { columns: ['x', 'y', 'color'], data: [[1, 1, 'red']] } },
};

async function fuzz(seed: number, urls: string[], valid: unknown[]): Promise<Map<number, number>> {
  const r = mulberry32(seed);
  const statuses = new Map<number, number>();
  for (let i = 0; i < PER_PROTOCOL; i++) {
    const url = pick(r, urls);
    const roll = r();
    const payload =
      roll < 0.1
        ? pick(r, rawGarbage)
        : JSON.stringify(roll < 0.3 ? randomValue(r) : mutate(r, pick(r, valid)));
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    if (res.statusCode >= 500)
      throw new Error(`${url} answered ${res.statusCode} to ${payload.slice(0, 300)}: ${res.body}`);
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  }
  return statuses;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  // A quickly trained model is enough: these tests are about what the server survives.
  app = await serveIris(factory, prefix, { epochs: 5, env: { SERVING_LOG_SAMPLE_RATE: '0' } });
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe(`fuzzed bad payloads (${PER_PROTOCOL} per protocol) never produce a 5xx`, () => {
  it('TF Serving REST', async () => {
    const s = await fuzz(
      1,
      [
        '/v1/models/iris:predict',
        '/v1/models/iris/versions/1:predict',
        '/v1/models/iris/labels/champion:predict',
      ],
      [VALID.tf, VALID.tfColumnar],
    );
    expect(s.get(400)).toBeGreaterThan(PER_PROTOCOL / 3);
  });
  it('Open Inference Protocol v2', async () => {
    const s = await fuzz(
      2,
      ['/v2/models/iris/infer', '/v2/models/iris/versions/1/infer'],
      [VALID.v2],
    );
    expect(s.get(400)).toBeGreaterThan(PER_PROTOCOL / 3);
  });
  it('MLflow /invocations', async () => {
    const s = await fuzz(
      3,
      ['/invocations'],
      [VALID.mlflow, { dataframe_records: VALID.tf.instances }, VALID.tfColumnar, VALID.tf],
    );
    expect(s.get(400)).toBeGreaterThan(PER_PROTOCOL / 3);
  });
  it('still serves afterwards', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/iris:predict',
      payload: VALID.tf,
    });
    expect(res.statusCode).toBe(200);
  });
});
