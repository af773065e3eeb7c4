/**
 * Content types as each reference server reads them. TF Serving reads every body as JSON (its
 * documentation's `curl -d` sends a form type; Python's `requests.post(url, data=…)` none);
 * the Open Inference Protocol's JSON too (binary tensors keep their header). MLflow's scoring
 * server reads `application/json` and `text/csv` only and answers 415 otherwise
 * (mlflow/pyfunc/scoring_server: "This predictor only supports the following content types").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { mlflowErrorSchema, mlflowResponseSchema, v2ErrorSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { REDIS_URL, serveIris, tearDown, testPrefix, tfError } from './support/app';
import { BundleFactory } from './support/bundle';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix);
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

const FORM = 'application/x-www-form-urlencoded'; // what `curl -d` sends
const send = (url: string, payload: string, contentType?: string) =>
  app.inject({
    method: 'POST',
    url,
    headers: contentType ? { 'content-type': contentType } : {},
    payload,
  });

const tfBody = JSON.stringify({ instances: [{ x: 1.5, y: 1.2, color: 'red' }] });
const v2Body = JSON.stringify({
  inputs: [
    { name: 'x', shape: [1], datatype: 'FP32', data: [1.5] },
    { name: 'y', shape: [1], datatype: 'FP32', data: [1.2] },
    { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
  ],
});

describe('TF Serving reads any body as JSON', () => {
  it('answers a form-typed, an untyped and a text/plain body', async () => {
    for (const type of [FORM, undefined, 'text/plain', 'application/octet-stream']) {
      const res = await send('/v1/models/iris:predict', tfBody, type);
      expect(res.statusCode, String(type)).toBe(200);
      expect(res.json<{ predictions: unknown[] }>().predictions).toHaveLength(1);
    }
  });

  it('still answers 400 naming the problem for a body that is not JSON', async () => {
    const res = await send('/v1/models/iris:predict', '{"instances": [', FORM);
    expect(res.statusCode).toBe(400);
    expect(tfError(res).message).toMatch(/JSON/i);
    const poisoned = await send('/v1/models/iris:predict', '{"__proto__": {"a": 1}}');
    expect(poisoned.statusCode).toBe(400);
    const empty = await send('/v1/models/iris:predict', '', FORM);
    expect(empty.statusCode).toBe(400);
  });

  it('bounds every type by the body limit', async () => {
    const big = JSON.stringify({ instances: [{ x: 1, pad: 'a'.repeat(6_000_000) }] });
    const res = await send('/v1/models/iris:predict', big, FORM);
    expect(res.statusCode).toBe(413);
  });
});

describe('Open Inference Protocol reads any non-binary body as JSON', () => {
  it('answers a form-typed and an untyped body', async () => {
    for (const type of [FORM, undefined, 'text/plain']) {
      const res = await send('/v2/models/iris/infer', v2Body, type);
      expect(res.statusCode, String(type)).toBe(200);
    }
  });

  it('answers 400 {"error"} for a body that is not JSON, whatever its type', async () => {
    const res = await send('/v2/models/iris/infer', 'x=1', FORM);
    expect(res.statusCode).toBe(400);
    expect(v2ErrorSchema.parse(res.json()).error).toMatch(/JSON/i);
  });
});

describe('MLflow stays strict', () => {
  it('answers 415 for a type it does not read, and for none', async () => {
    const json = JSON.stringify({ dataframe_records: [{ x: 1.5, y: 1.2, color: 'red' }] });
    for (const type of [FORM, 'text/plain', undefined]) {
      const res = await send('/invocations', json, type);
      expect(res.statusCode, String(type)).toBe(415);
      expect(mlflowErrorSchema.parse(res.json()).message).toMatch(/application\/json, text\/csv/);
    }
    expect((await send('/invocations', json, 'application/json')).statusCode).toBe(200);
  });

  it('reads text/csv as pandas does: a header row, then records', async () => {
    const csv = 'x,y,color\n1.5,1.2,red\r\n-1.8,,"blue"\n';
    const res = await send('/invocations', csv, 'text/csv');
    expect(res.statusCode).toBe(200);
    const body = mlflowResponseSchema.parse(res.json());
    expect(body.predictions.map((p) => ('label' in p ? p.label : null))).toEqual(['pos', 'neg']);
  });

  it('answers 400 naming the row for bad CSV', async () => {
    const ragged = await send('/invocations', 'x,y,color\n1,2\n', 'text/csv');
    expect(ragged.statusCode).toBe(400);
    expect(mlflowErrorSchema.parse(ragged.json()).message).toMatch(/CSV row 1 has 2 values/);
    const wrong = await send('/invocations', 'x,y,color\nabc,1,red\n', 'text/csv');
    expect(wrong.statusCode).toBe(400);
    expect(mlflowErrorSchema.parse(wrong.json()).message).toMatch(/x/);
    const headerless = await send('/invocations', '', 'text/csv');
    expect(headerless.statusCode).toBe(400);
  });
});
