/** Open Inference Protocol v2, driven by ./spec-examples/oip.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { v2ErrorSchema, v2InferResponseSchema, v2ModelMetadataSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, postJson, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { BundleFactory, publish } from './support/bundle';
import { halfPlusThree } from './support/half-plus-three';
import * as oip from './spec-examples/oip';
import { HALF_PLUS_THREE as HALF } from './spec-examples/tfserving';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  const source = new MemoryModelSource();
  publish(source, HALF, 123, await halfPlusThree());
  source.setAlias(HALF, 'champion', 123);
  const iris = await factory.next(30);
  publish(source, 'iris', 1, iris);
  publish(source, 'iris', 2, iris);
  source.setAlias('iris', 'champion', 2);
  source.setAlias('iris', 'challenger', 1);
  // "ghost" is configured but has no champion: it never loads.
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: `${HALF},iris,ghost`,
  });
  await eventually(
    () =>
      (app.serving.models.get(HALF)?.loaded && app.serving.models.get('iris')?.loaded) || undefined,
    'both models loaded',
  );
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('inference', () => {
  it('answers the spec request shape for half_plus_three, echoing the id', async () => {
    const res = await postJson(app, `/v2/models/${HALF}/infer`, oip.halfPlusThreeRequest);
    expect(res.statusCode, res.body).toBe(200);
    const body = v2InferResponseSchema.parse(res.json());
    expect(body).toMatchObject({ model_name: HALF, model_version: '123', id: '42' });
    const [out] = body.outputs;
    expect(out).toMatchObject({ name: 'value', shape: [3], datatype: 'FP32' });
    (out?.data as number[]).forEach((v, i) =>
      expect(v).toBeCloseTo(oip.halfPlusThreeResponse.outputs[0]!.data[i]!, 4),
    );
  });

  it('refuses the spec example verbatim for a model without its inputs, naming one', async () => {
    const res = await postJson(app, '/v2/models/iris/infer', oip.specInferRequest);
    expect(res.statusCode).toBe(400);
    expect(v2ErrorSchema.parse(res.json()).error).toMatch(/input0/);
  });
});

describe('readiness', () => {
  it('answers 200 {name, ready: true} for a loaded model and version', async () => {
    for (const url of [`/v2/models/${HALF}/ready`, `/v2/models/${HALF}/versions/123/ready`]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.json()).toEqual(oip.readyBody(HALF, true));
    }
  });

  it('answers 404 {"error"} for a model it does not have', async () => {
    for (const url of ['/v2/models/nope/ready', '/v2/models/nope/versions/1/ready']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(v2ErrorSchema.parse(res.json()).error).toMatch(/nope/);
    }
  });

  it('answers a 4xx {name, ready: false} for a model or version not loaded', async () => {
    const ghost = await app.inject('/v2/models/ghost/ready');
    expect(ghost.statusCode).toBe(400);
    expect(ghost.json()).toEqual(oip.readyBody('ghost', false));
    const v9 = await app.inject(`/v2/models/${HALF}/versions/9/ready`);
    expect(v9.statusCode).toBe(400);
    expect(v9.json()).toEqual(oip.readyBody(HALF, false));
    // One configured model never loads: the server is not ready either.
    const server = await app.inject('/v2/health/ready');
    expect(server.statusCode).toBe(400);
    expect(server.json()).toEqual({ ready: false });
  });
});

describe('model metadata', () => {
  it('lists every version in memory', async () => {
    const before = v2ModelMetadataSchema.parse((await app.inject('/v2/models/iris')).json());
    expect(before.versions).toEqual(['2']);
    expect((await app.inject('/v2/models/iris/versions/1/ready')).statusCode).toBe(400);
    const pinned = await postJson(app, '/v2/models/iris/versions/1/infer', {
      inputs: [
        { name: 'x', shape: [1], datatype: 'FP32', data: [1.5] },
        { name: 'y', shape: [1], datatype: 'FP32', data: [1.2] },
        { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
      ],
    });
    expect(pinned.statusCode).toBe(200);
    expect((await app.inject('/v2/models/iris/versions/1/ready')).statusCode).toBe(200);
    for (const url of ['/v2/models/iris', '/v2/models/iris/versions/1']) {
      const meta = v2ModelMetadataSchema.parse((await app.inject(url)).json());
      expect(meta.versions, url).toEqual(['1', '2']);
    }
  });
});
