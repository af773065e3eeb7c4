/**
 * One test per protocol, built from the examples of their public specifications, adapted to
 * this test model's features (x: numeric, y: numeric nullable, color: categorical):
 * - TF Serving REST API (tensorflow.org/tfx/serving/api_rest): row format
 *   `{"signature_name": "serving_default", "instances": [{"tag": "foo", "signal": …}]}`, columnar
 *   `{"inputs": {"tag": ["foo", "bar"], …}}`, status and metadata URLs, errors `{"error": …}`.
 * - Open Inference Protocol v2 (kserve.github.io … /v2-protocol): health, server and model
 *   metadata, `POST v2/models/<m>[/versions/<v>]/infer` with `{"inputs": [{"name", "shape",
 *   "datatype", "data"}]}` and nested or flat data.
 * - MLflow scoring server (mlflow.org … /serving): `POST /invocations` with `dataframe_split`
 *   `{"columns": [...], "data": [[...]]}`, `dataframe_records`, `instances` and `inputs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  mlflowErrorSchema,
  mlflowResponseSchema,
  tfColumnarResponseSchema,
  tfModelMetadataSchema,
  v2ErrorSchema,
  v2InferResponseSchema,
  v2ModelMetadataSchema,
  v2ServerMetadataSchema,
} from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { postJson, REDIS_URL, serveIris, tearDown, testPrefix, tfError } from './support/app';
import { BundleFactory } from './support/bundle';

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

const post = (url: string, body: unknown) => postJson(app, url, body);

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix);
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('TF Serving REST', () => {
  it('row format with signature_name answers predictions', async () => {
    const res = await post('/v1/models/iris:predict', {
      signature_name: 'serving_default',
      instances: [
        { x: 1.5, y: 1.2, color: 'red' },
        { x: -1.8, y: -1.1, color: 'blue' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ predictions: Array<{ label: string }> }>();
    expect(body.predictions.map((p) => p.label)).toEqual(['pos', 'neg']);
  });

  it('columnar format answers outputs, aligned with the rows', async () => {
    const res = await post('/v1/models/iris:predict', {
      inputs: { x: [1.5, -1.8], y: [1.2, -1.1], color: ['red', 'blue'] },
    });
    expect(res.statusCode).toBe(200);
    const body = tfColumnarResponseSchema.parse(res.json());
    if (Array.isArray(body.outputs)) throw new Error('a classifier answers two outputs');
    expect(body.outputs.label).toEqual(['pos', 'neg']);
    expect(body.outputs.probabilities?.[0]).toHaveLength(2);
    expect(body.predictionIds).toHaveLength(2);
  });

  it('refuses instances and inputs together, and columns of unequal length', async () => {
    const both = await post('/v1/models/iris:predict', {
      instances: [{ x: 1, y: 1, color: 'red' }],
      inputs: { x: [1] },
    });
    expect(both.statusCode).toBe(400);
    expect(tfError(both).message).toMatch(/never both/);
    const ragged = await post('/v1/models/iris:predict', {
      inputs: { x: [1, 2], y: [1], color: ['red', 'red'] },
    });
    expect(ragged.statusCode).toBe(400);
    const wrong = await post('/v1/models/iris:predict', {
      inputs: { x: ['a'], y: [1], color: ['red'] },
    });
    expect(wrong.statusCode).toBe(400);
    expect(tfError(wrong).details?.[0]?.path).toBe('inputs.x[0]');
  });

  it('serves a version and a label explicitly, with status and metadata', async () => {
    const byVersion = await post('/v1/models/iris/versions/1:predict', {
      instances: [{ x: 1, y: 1, color: 'red' }],
    });
    expect(byVersion.statusCode).toBe(200);
    expect(byVersion.json<{ model: { version: number } }>().model.version).toBe(1);
    const byLabel = await post('/v1/models/iris/labels/champion:predict', {
      instances: [{ x: 1, y: 1, color: 'red' }],
    });
    expect(byLabel.statusCode).toBe(200);
    const status = await app.inject('/v1/models/iris/versions/1');
    expect(status.json()).toEqual({
      model_version_status: [
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
    const meta = tfModelMetadataSchema.parse((await app.inject('/v1/models/iris/metadata')).json());
    const sig = meta.metadata.signature_def.signature_def.serving_default;
    expect(Object.keys(sig?.inputs ?? {})).toEqual(['x', 'y', 'color']);
    expect(sig?.inputs.color?.dtype).toBe('DT_STRING');
    expect(sig?.outputs.probabilities?.tensor_shape.dim.map((d) => d.size)).toEqual(['-1', '2']);
    expect((await app.inject('/v1/models/iris/labels/champion/metadata')).statusCode).toBe(200);
    expect((await app.inject('/v1/models/iris/versions/99/metadata')).statusCode).toBe(404);
    expect((await app.inject('/v1/models/iris/versions/abc')).statusCode).toBe(400);
  });
});

describe('Open Inference Protocol v2', () => {
  it('answers health, server metadata and model metadata', async () => {
    expect((await app.inject('/v2/health/live')).statusCode).toBe(200);
    expect((await app.inject('/v2/health/ready')).json()).toEqual({ ready: true });
    expect(v2ServerMetadataSchema.parse((await app.inject('/v2')).json()).name).toBe(
      'mlops-serving',
    );
    const meta = v2ModelMetadataSchema.parse((await app.inject('/v2/models/iris')).json());
    expect(meta.inputs).toEqual([
      { name: 'x', datatype: 'FP32', shape: [-1] },
      { name: 'y', datatype: 'FP32', shape: [-1] },
      { name: 'color', datatype: 'BYTES', shape: [-1] },
    ]);
    expect(meta.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
    expect((await app.inject('/v2/models/iris/versions/1')).statusCode).toBe(200);
    expect((await app.inject('/v2/models/iris/ready')).json()).toEqual({
      name: 'iris',
      ready: true,
    });
    expect((await app.inject('/v2/models/iris/versions/1/ready')).statusCode).toBe(200);
  });

  it('infers typed tensors, flat or nested, and echoes the id', async () => {
    const res = await post('/v2/models/iris/infer', {
      id: '42',
      inputs: [
        { name: 'x', shape: [2], datatype: 'FP32', data: [1.5, -1.8] },
        { name: 'y', shape: [2, 1], datatype: 'FP64', data: [[1.2], [-1.1]] },
        { name: 'color', shape: [2], datatype: 'BYTES', data: ['red', 'blue'] },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = v2InferResponseSchema.parse(res.json());
    expect(body).toMatchObject({ model_name: 'iris', model_version: '1', id: '42' });
    const label = body.outputs.find((o) => o.name === 'label');
    expect(label).toMatchObject({ shape: [2], datatype: 'BYTES', data: ['pos', 'neg'] });
    expect(body.outputs.find((o) => o.name === 'probabilities')?.shape).toEqual([2, 2]);

    const only = await post('/v2/models/iris/versions/1/infer', {
      inputs: [
        { name: 'x', shape: [1], datatype: 'INT64', data: [2] },
        { name: 'y', shape: [1], datatype: 'FP32', data: [2] },
        { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
      ],
      outputs: [{ name: 'label' }],
    });
    expect(v2InferResponseSchema.parse(only.json()).outputs.map((o) => o.name)).toEqual(['label']);
  });

  it('answers bad requests with 400 and {"error": "…"}', async () => {
    const cases: unknown[] = [
      { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }, // missing y, color
      {
        inputs: [
          { name: 'x', shape: [1], datatype: 'BYTES', data: ['a'] },
          { name: 'y', shape: [1], datatype: 'FP32', data: [1] },
          { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
        ],
      },
      {
        inputs: [
          { name: 'x', shape: [2], datatype: 'FP32', data: [1] },
          { name: 'y', shape: [1], datatype: 'FP32', data: [1] },
          { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] },
        ],
      },
      {
        inputs: [
          {
            name: 'input-0',
            shape: [2, 4],
            datatype: 'FP32',
            data: [
              [6.8, 2.8, 4.8, 1.4],
              [6.0, 3.4, 4.5, 1.6],
            ],
          },
        ],
      },
      { inputs: [] },
      { nope: true },
    ];
    for (const body of cases) {
      const res = await post('/v2/models/iris/infer', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(v2ErrorSchema.parse(res.json()).error.length).toBeGreaterThan(0);
    }
    const unknown = await post('/v2/models/nope/infer', {
      inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }],
    });
    expect(unknown.statusCode).toBe(404);
    v2ErrorSchema.parse(unknown.json());
    const bad = await app.inject({
      method: 'POST',
      url: '/v2/models/iris/infer',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    expect(bad.statusCode).toBe(400);
    v2ErrorSchema.parse(bad.json());
  });
});

describe('MLflow scoring server', () => {
  const rows = [
    { x: 1.5, y: 1.2, color: 'red' },
    { x: -1.8, y: -1.1, color: 'blue' },
  ];
  const expectLabels = (res: { statusCode: number; json: () => unknown }) => {
    expect(res.statusCode).toBe(200);
    const body = mlflowResponseSchema.parse(res.json());
    expect(body.predictions.map((p) => ('label' in p ? p.label : null))).toEqual(['pos', 'neg']);
  };

  it('accepts the four input formats', async () => {
    expectLabels(
      await post('/invocations', {
        dataframe_split: {
          columns: ['x', 'y', 'color'],
          data: [
            [1.5, 1.2, 'red'],
            [-1.8, -1.1, 'blue'],
          ],
        },
      }),
    );
    expectLabels(await post('/invocations', { dataframe_records: rows }));
    expectLabels(await post('/invocations', { instances: rows }));
    expectLabels(
      await post('/invocations', {
        inputs: { x: [1.5, -1.8], y: [1.2, -1.1], color: ['red', 'blue'] },
      }),
    );
    expectLabels(
      await post('/invocations', {
        inputs: [
          [1.5, 1.2, 'red'],
          [-1.8, -1.1, 'blue'],
        ],
      }),
    );
    expect((await app.inject('/ping')).statusCode).toBe(200);
    expect((await app.inject('/health')).statusCode).toBe(200);
  });

  it('answers bad requests with 400 and {error_code, message}', async () => {
    for (const body of [
      { dataframe_split: { columns: ['x'], data: [[1, 2]] } },
      { dataframe_records: [{ x: 'a', y: 1, color: 'red' }] },
      { something: [] },
      { inputs: [[1, 2]] },
    ]) {
      const res = await post('/invocations', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(mlflowErrorSchema.parse(res.json()).error_code).toBe('BAD_REQUEST');
    }
    const plain = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { 'content-type': 'text/plain' },
      payload: '{"dataframe_records": []}',
    });
    expect(plain.statusCode).toBe(415);
    mlflowErrorSchema.parse(plain.json());
  });
});

describe('Triton-style metrics', () => {
  it('counts success and failure, inference and execution counts per model and version', async () => {
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(
      /serving_inference_request_success_total\{model="iris",version="1",protocol="v2"\} \d+/,
    );
    expect(text).toMatch(
      /serving_inference_request_success_total\{model="iris",version="1",protocol="mlflow"\} \d+/,
    );
    expect(text).toMatch(
      /serving_inference_request_failure_total\{model="iris",version="1",protocol="tfserving",reason="validation_failed"\} \d+/,
    );
    expect(text).toMatch(/serving_inference_count_total\{model="iris",version="1"\} \d+/);
    expect(text).toMatch(/serving_inference_exec_count_total\{model="iris",version="1"\} \d+/);
    expect(text).toContain('serving_queue_seconds_bucket{le="0.001",model="iris",version="1"}');
    expect(text).toContain('serving_loaded_versions{model="iris",version="1"} 1');
  });
});
