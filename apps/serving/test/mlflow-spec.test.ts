/** MLflow's scoring server, driven by the request forms of ./spec-examples/mlflow.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { mlflowErrorSchema, mlflowResponseSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { postJson, REDIS_URL, serveIris, tearDown, testPrefix } from './support/app';
import { BundleFactory } from './support/bundle';
import { badJson, csv, jsonForms, labels } from './spec-examples/mlflow';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix);
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

const labelsOf = (body: unknown) =>
  mlflowResponseSchema.parse(body).predictions.map((p) => ('label' in p ? p.label : null));

describe('MLflow /invocations', () => {
  it.each(Object.entries(jsonForms))('answers %s', async (_name, body) => {
    const res = await postJson(app, '/invocations', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(labelsOf(res.json())).toEqual(labels);
  });

  it('answers text/csv like the same records', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(200);
    expect(labelsOf(res.json())).toEqual(labels);
  });

  it.each(badJson.map((c) => [JSON.stringify(c.body), c] as const))(
    'refuses %s with 400 naming the problem',
    async (_name, { body, mentions }) => {
      const res = await postJson(app, '/invocations', body);
      expect(res.statusCode).toBe(400);
      const error = mlflowErrorSchema.parse(res.json());
      expect(error.error_code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(mentions);
    },
  );
});
