/**
 * TF Serving REST, driven by its documentation's own calls (./spec-examples/tfserving.ts):
 * `saved_model_half_plus_three` (one input, one output) and a two-class classifier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { predictResponseSchema, tfModelMetadataSchema } from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import {
  eventually,
  postJson,
  REDIS_URL,
  startApp,
  tearDown,
  testPrefix,
  tfError,
} from './support/app';
import { BundleFactory, publish } from './support/bundle';
import { halfPlusThree } from './support/half-plus-three';
import * as tf from './spec-examples/tfserving';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();
const HALF = tf.HALF_PLUS_THREE;

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
  app = await startApp(source, { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: `${HALF},iris` });
  await eventually(
    () =>
      (app.serving.models.get(HALF)?.loaded && app.serving.models.get('iris')?.loaded) || undefined,
    'both models loaded',
  );
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

/** As `curl -d` sends it: a form content type. */
const curl = (url: string, payload: string) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload,
  });

const close = (actual: number[], expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
};

describe('the documented half_plus_three calls', () => {
  it('predict: bare instances in, one output unwrapped', async () => {
    const res = await curl(`/v1/models/${HALF}:predict`, tf.predictRequest);
    expect(res.statusCode, res.body).toBe(200);
    close(res.json<{ predictions: number[] }>().predictions, tf.predictResponse.predictions);
  });

  it('predict: one-value rows, columnar inputs bare and named', async () => {
    for (const body of [
      { instances: [[1.0], [2.0], [5.0]] },
      { instances: [{ x: 1.0 }, { x: 2.0 }, { x: 5.0 }] },
    ]) {
      const res = await postJson(app, `/v1/models/${HALF}:predict`, body);
      close(res.json<{ predictions: number[] }>().predictions, [3.5, 4.0, 5.5]);
    }
    for (const body of [{ inputs: [1.0, 2.0, 5.0] }, { inputs: { x: [1.0, 2.0, 5.0] } }]) {
      const res = await postJson(app, `/v1/models/${HALF}:predict`, body);
      expect(res.statusCode, res.body).toBe(200);
      close(res.json<{ outputs: number[] }>().outputs, [3.5, 4.0, 5.5]);
    }
  });

  it('regress: Examples in, results out', async () => {
    const res = await curl(`/v1/models/${HALF}:regress`, tf.regressRequest);
    expect(res.statusCode, res.body).toBe(200);
    close(res.json<{ results: number[] }>().results, tf.regressResponse.results);
  });

  it('status lists the version with its state', async () => {
    const res = await app.inject(`/v1/models/${HALF}`);
    expect(res.json()).toEqual(tf.statusResponse);
  });

  it('an unknown model is a 404 {"error"}', async () => {
    const res = await curl('/v1/models/half:predict', tf.unknownModelRequest);
    expect(res.statusCode).toBe(404);
    expect(tfError(res).message).toMatch(/half/);
  });
});

describe('signatures', () => {
  it('answers serving_default and the model own classify/regress signature', async () => {
    const meta = tfModelMetadataSchema.parse(
      (await app.inject(`/v1/models/${HALF}/metadata`)).json(),
    );
    const defs = meta.metadata.signature_def.signature_def;
    expect(Object.keys(defs)).toEqual(['serving_default', 'tensorflow/serving/regress']);
    const iris = tfModelMetadataSchema.parse((await app.inject('/v1/models/iris/metadata')).json());
    const classify = iris.metadata.signature_def.signature_def['tensorflow/serving/classify'];
    expect(Object.keys(classify?.outputs ?? {})).toEqual(['classes', 'scores']);
    for (const name of ['serving_default', 'tensorflow/serving/regress', '']) {
      const res = await postJson(app, `/v1/models/${HALF}:predict`, {
        signature_name: name,
        instances: [1.0],
      });
      expect(res.statusCode, name).toBe(200);
    }
  });

  it('refuses an unknown signature_name with 400 naming it', async () => {
    for (const [url, body] of [
      [`/v1/models/${HALF}:predict`, { signature_name: 'nope', instances: [1.0] }],
      [`/v1/models/${HALF}:predict`, { signature_name: 'nope', inputs: [1.0] }],
      [`/v1/models/${HALF}:regress`, { signature_name: 'nope', examples: [{ x: 1 }] }],
      [`/v1/models/iris:predict`, { signature_name: 7, instances: [{ x: 1, y: 1, color: 'red' }] }],
    ] as const) {
      const res = await postJson(app, url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const error = tfError(res);
      expect(error.message).toMatch(/signature key .* not found/);
      expect(error.details?.[0]?.path).toBe('signature_name');
    }
  });
});

describe('a classifier', () => {
  const rows = [
    { x: 1.5, y: 1.2, color: 'red' },
    { x: -1.8, y: -1.1, color: 'blue' },
  ];

  it('answers label and a probabilities tensor in the labels order, as its metadata says', async () => {
    const res = await postJson(app, '/v1/models/iris:predict', { instances: rows });
    const { predictions } = res.json<{
      predictions: Array<{ label: string; probabilities: number[] }>;
    }>();
    expect(predictions.map((p) => p.label)).toEqual(['pos', 'neg']);
    expect(predictions[0]!.probabilities).toHaveLength(2);
    expect(predictions[0]!.probabilities[1]).toBeGreaterThan(0.5); // labels: neg, pos
  });

  it('keeps the platform records behind ?format=platform', async () => {
    const res = await postJson(app, '/v1/models/iris:predict?format=platform', { instances: rows });
    const body = predictResponseSchema.parse(res.json());
    const first = body.predictions[0] as { probabilities: Record<string, number> };
    expect(Object.keys(first.probabilities).sort()).toEqual(['neg', 'pos']);
    const half = await postJson(app, `/v1/models/${HALF}:predict?format=platform`, {
      instances: [1.0],
    });
    const [value] = half.json<{ predictions: Array<{ value: number }> }>().predictions;
    expect(value?.value).toBeCloseTo(3.5, 4);
    const wrong = await postJson(app, '/v1/models/iris:predict?format=labels', { instances: rows });
    expect(wrong.statusCode).toBe(400);
    expect(tfError(wrong).details?.[0]?.path).toBe('format');
  });

  it('classify: Examples with a shared context answer [label, score] pairs', async () => {
    const res = await postJson(app, '/v1/models/iris:classify', tf.classifyRequestShape);
    expect(res.statusCode, res.body).toBe(200);
    const { results } = res.json<{ results: Array<Array<[string, number]>> }>();
    expect(results).toHaveLength(2);
    expect(results[0]!.map(([label]) => label)).toEqual(['neg', 'pos']);
    expect(results[0]![1]![1]).toBeGreaterThan(0.5);
    expect(results[1]![0]![1]).toBeGreaterThan(0.5);
    const sum = results[0]!.reduce((a, [, score]) => a + score, 0);
    expect(sum).toBeCloseTo(1, 4);
  });

  it('refuses bad Examples with 400 naming the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/v1/models/iris:classify', { examples: { x: 1 } }, /examples/],
      ['/v1/models/iris:classify', { instances: rows }, /examples/],
      [
        '/v1/models/iris:classify',
        { context: { color: 'red' }, examples: [{ x: 1, y: 1, color: 'blue' }] },
        /examples\[0\]\.color/,
      ],
      [
        '/v1/models/iris:classify',
        { examples: [{ x: [1, 2], y: 1, color: 'red' }] },
        /examples\[0\]\.x/,
      ],
      [
        '/v1/models/iris:classify',
        { examples: [{ x: 'a', y: 1, color: 'red' }] },
        /examples\[0\]\.x/,
      ],
      [
        '/v1/models/iris:regress',
        { examples: [{ x: 1, y: 1, color: 'red' }] },
        /classification model: call :classify/,
      ],
      [`/v1/models/${HALF}:classify`, { examples: [{ x: 1 }] }, /regression model: call :regress/],
    ];
    for (const [url, body, mentions] of cases) {
      const res = await postJson(app, url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const error = tfError(res);
      expect(`${error.message} ${JSON.stringify(error.details ?? [])}`).toMatch(mentions);
    }
  });

  it('refuses bare instances for a model with several inputs, naming the row', async () => {
    const res = await postJson(app, '/v1/models/iris:predict', { instances: [1.0, 2.0] });
    expect(res.statusCode).toBe(400);
    expect(tfError(res).details?.[0]?.path).toBe('instances[0]');
  });

  it('lists every version in memory with its state', async () => {
    const pinned = await postJson(app, '/v1/models/iris/versions/1:predict', { instances: rows });
    expect(pinned.statusCode).toBe(200);
    const ok = { error_code: 'OK', error_message: '' };
    expect((await app.inject('/v1/models/iris')).json()).toEqual({
      model_version_status: [
        { version: '2', state: 'AVAILABLE', status: ok },
        { version: '1', state: 'AVAILABLE', status: ok },
      ],
    });
  });
});
