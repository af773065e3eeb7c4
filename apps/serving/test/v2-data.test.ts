import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type * as tfTypes from '@tensorflow/tfjs';
import { v2ErrorSchema, v2InferResponseSchema } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { BundleFactory, publish } from './support/bundle';
import { publishTensorModel } from './support/tensor-models';

/**
 * OIP v2 `data` is checked as it is copied out (v2-data.ts), not by zod: every bad value is
 * still a 400 naming the input and the place — for a tensor model (`grid`, input [n, 2, 3]) and
 * a tabular one (`iris`: x, y, color).
 */
const prefix = testPrefix();
const factory = new BundleFactory();
let app: ServingApp;
let redis: Redis;
let grid: tfTypes.LayersModel;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await initBackend();
  const tf = getTf();
  const input = tf.input({ shape: [2, 3], name: 'grid' });
  const flat = tf.layers.flatten().apply(input) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 1, name: 'out', kernelInitializer: tf.initializers.ones() })
    .apply(flat) as tfTypes.SymbolicTensor;
  grid = tf.model({ inputs: input, outputs: out });
  const source = new MemoryModelSource();
  await publishTensorModel(source, 'grid', await serializeModel(grid), { task: 'regression' });
  publish(source, 'iris', 1, await factory.next(30));
  source.setAlias('iris', 'champion', 1);
  app = await startApp(source, { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: 'grid,iris' });
  for (const m of ['grid', 'iris'])
    await eventually(() => app.serving.models.get(m)?.loaded ?? undefined, `${m} loaded`);
}, 60_000);

afterAll(async () => {
  grid.dispose();
  await tearDown({ app, factory, redis, prefix });
});

/** POST a JSON text as is (so that `1e999`, which JSON.parse reads as Infinity, gets through). */
const infer = (model: string, json: string) =>
  app.inject({
    method: 'POST',
    url: `/v2/models/${model}/infer`,
    headers: { 'content-type': 'application/json' },
    payload: json,
  });

const gridBody = (shape: number[], data: string, datatype = 'FP32') =>
  `{"inputs":[{"name":"grid","shape":${JSON.stringify(shape)},"datatype":"${datatype}","data":${data}}]}`;

async function refused(model: string, json: string): Promise<string> {
  const res = await infer(model, json);
  expect(res.statusCode).toBe(400);
  return v2ErrorSchema.parse(res.json()).error;
}

describe('OIP v2 data of a tensor model', () => {
  it('reads flat and nested data into the same tensor', async () => {
    const flat = await infer('grid', gridBody([2, 2, 3], '[1,2,3,4,5,6,0,0,0,0,0,1.5]'));
    const nested = await infer(
      'grid',
      gridBody([2, 2, 3], '[[[1,2,3],[4,5,6]],[[0,0,0],[0,0,1.5]]]'),
    );
    for (const res of [flat, nested]) {
      expect(res.statusCode).toBe(200);
      const out = v2InferResponseSchema.parse(res.json()).outputs[0]!;
      // A dense layer of ones with a zero bias: each example's sum.
      expect(out.data).toEqual([21, 1.5]);
    }
  });

  it('refuses a value that is not a finite number, naming its place', async () => {
    expect(await refused('grid', gridBody([1, 2, 3], '[1,2,3,4,5,1e999]'))).toBe(
      'input "grid": data[5] is null; not a FP32 value',
    );
    expect(await refused('grid', gridBody([1, 2, 3], '[[[1,2,3],[4,"5",6]]]'))).toBe(
      'input "grid": data[0][1][1] is "5"; not a FP32 value',
    );
    expect(await refused('grid', gridBody([1, 2, 3], '[[[1,2,3],[4,null,6]]]'))).toContain(
      'data[0][1][1] is null',
    );
  });

  it('refuses a count that does not fill the shape', async () => {
    expect(await refused('grid', gridBody([1, 2, 3], '[1,2,3,4,5]'))).toBe(
      'input "grid": shape [1, 2, 3] needs 6 values, got 5',
    );
    expect(await refused('grid', gridBody([2, 2, 3], '[1,2,3,4,5,6]'))).toContain(
      'needs 12 values, got 6',
    );
  });

  it('refuses nested data whose nesting is not the shape', async () => {
    expect(await refused('grid', gridBody([1, 2, 3], '[[[1,2,3],[4,5]]]'))).toBe(
      'input "grid": data[0][1] has 2 elements; shape [1, 2, 3] needs 3 there',
    );
    expect(await refused('grid', gridBody([2, 2, 3], '[[[1,2,3],[4,5,6]]]'))).toContain(
      'data has 1 elements; shape [2, 2, 3] needs 2 there',
    );
    expect(await refused('grid', gridBody([1, 2, 3], '[[[1,2,3],7]]'))).toBe(
      'input "grid": data[0][1] is 7; shape [1, 2, 3] needs an array of 3 there',
    );
    expect(await refused('grid', gridBody([1, 2, 3], '[[[1,2,[3]],[4,5,6]]]'))).toContain(
      'data[0][0][2] is [3]; not a FP32 value',
    );
  });

  it('refuses whole numbers out of an integer type, and an object as data', async () => {
    expect(await refused('grid', gridBody([1, 2, 3], '[0,1,2,3,4,256]', 'UINT8'))).toBe(
      'input "grid": data[5] is 256; not a UINT8 value',
    );
    expect(await refused('grid', gridBody([1, 2, 3], '[0,1,2,3,4,1.5]', 'INT32'))).toContain(
      'data[5] is 1.5; not a INT32 value',
    );
    expect(await refused('grid', gridBody([1, 2, 3], '{"0":1}'))).toContain('data');
  });
});

describe('OIP v2 data of a tabular model', () => {
  const body = (x: string, xShape = '[2]') =>
    `{"inputs":[{"name":"x","shape":${xShape},"datatype":"FP32","data":${x}},` +
    `{"name":"y","shape":[2],"datatype":"FP32","data":[1.2,-1.1]},` +
    `{"name":"color","shape":[2],"datatype":"BYTES","data":["red","blue"]}]}`;

  it('answers flat and [n, 1] nested columns alike', async () => {
    for (const json of [body('[1.5,-1.8]'), body('[[1.5],[-1.8]]', '[2, 1]')]) {
      const res = await infer('iris', json);
      expect(res.statusCode).toBe(200);
      const label = v2InferResponseSchema.parse(res.json()).outputs.find((o) => o.name === 'label');
      expect(label?.data).toEqual(['pos', 'neg']);
    }
  });

  it('refuses an object, a wrong count and a nesting that is not the shape', async () => {
    expect(await refused('iris', body('[1.5,{"v":1}]'))).toBe(
      'input "x": data[1] is {"v":1}; not a number, string, boolean or null',
    );
    expect(await refused('iris', body('[1.5,-1.8,3]'))).toBe(
      'input "x": shape [2] needs 2 values, got 3',
    );
    expect(await refused('iris', body('[[1.5,-1.8]]', '[2, 1]'))).toBe(
      'input "x": data has 1 elements; shape [2, 1] needs 2 there',
    );
  });

  it('refuses a value of the wrong type for the feature, naming the tensor', async () => {
    const error = await refused('iris', body('[1.5,"high"]'));
    expect(error).toContain('inputs[x].data[1]');
  });
});
