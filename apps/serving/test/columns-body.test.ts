import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { ServingApp } from '../src/app';
import { postJson, REDIS_URL, serveIris, tearDown, testPrefix, tfError } from './support/app';
import { BundleFactory } from './support/bundle';

/**
 * TF Serving columnar `inputs` of a tabular model are checked by hand, each cell once by the
 * signature check (tfserving-body.ts), not by zod per cell: every bad cell is still a 400 whose
 * path is the column and the row.
 */
const prefix = testPrefix();
const factory = new BundleFactory();
let app: ServingApp;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix);
}, 60_000);

afterAll(() => tearDown({ app, factory, redis, prefix }));

const predict = (inputs: unknown) => postJson(app, '/v1/models/iris:predict', { inputs });

async function refused(inputs: unknown) {
  const res = await predict(inputs);
  expect(res.statusCode).toBe(400);
  return tfError(res);
}

describe('TF Serving columns of a tabular model', () => {
  it('answers aligned columns', async () => {
    const res = await predict({ x: [1.5, -1.8], y: [1.2, -1.1], color: ['red', 'blue'] });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ outputs: { label: string[] } }>().outputs.label).toEqual(['pos', 'neg']);
  });

  it('refuses "inputs" that are not columns', async () => {
    const notObject = await refused('x');
    expect(notObject.details?.map((d) => d.path)).toEqual(['inputs']);
    expect(notObject.message).toContain('object of feature columns');
    expect((await refused({ x: 1.5, y: [1.2], color: ['red'] })).details).toEqual([
      { path: 'inputs.x', message: '"inputs.x" must be an array of values, one per row' },
    ]);
  });

  it('refuses a cell that is not a value of its feature, naming column and row', async () => {
    for (const bad of [{ v: 1 }, [1.5], 'high', true]) {
      const { details } = await refused({ x: [1.5, bad], y: [1.2, -1.1], color: ['red', 'blue'] });
      expect(details?.map((d) => d.path)).toEqual(['inputs.x[1]']);
    }
    const { details } = await refused({ x: [1.5, 2], y: [1.2, -1.1], color: ['red', 7] });
    expect(details?.map((d) => d.path)).toEqual(['inputs.color[1]']);
  });

  it('refuses columns of different lengths', async () => {
    const { message } = await refused({ x: [1.5], y: [1.2, -1.1], color: ['red', 'blue'] });
    expect(message).toContain('"x" has 1, "y" has 2');
  });
});
