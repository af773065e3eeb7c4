import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Column, SignatureCompatibility } from '@mlops/contracts';
import { compareSignatures } from '@mlops/ml/records';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, postJson, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { publish } from './support/bundle';
import { signatureBundle } from './support/signature-bundle';

/**
 * The signature diff promises what an older client's request gets from a new version. Here a
 * v1 client's requests go to v2 for each kind of change, through every protocol serving
 * speaks, and what happened must be what the classification said: `none` and
 * `answer_changed` ⇒ 200, `refused` ⇒ 400 naming the feature.
 */
const x: Column = { name: 'sepal', type: 'numeric', nullable: false };
const y: Column = { name: 'width', type: 'numeric', nullable: true };
const color: Column = {
  name: 'colour',
  type: 'categorical',
  nullable: false,
  categories: ['blue', 'red'],
};
const V1 = [x, y, color];

/** Each kind of change: v2's inputs (and labels), the change kind the diff must find. */
const CASES: Array<{ model: string; inputs: Column[]; labels?: string[]; kind: string }> = [
  {
    model: 'added-optional',
    inputs: [...V1, { name: 'petal', type: 'numeric', nullable: true }],
    kind: 'added_optional',
  },
  {
    model: 'added-required',
    inputs: [...V1, { name: 'petal', type: 'numeric', nullable: false }],
    kind: 'added_required',
  },
  { model: 'removed', inputs: [x, color], kind: 'removed' },
  {
    model: 'retyped',
    inputs: [x, { ...y, type: 'categorical', categories: ['a', 'b'] }, color],
    kind: 'retyped',
  },
  { model: 'nullability', inputs: [x, { ...y, nullable: false }, color], kind: 'nullability' },
  {
    model: 'category-added',
    inputs: [x, y, { ...color, categories: ['blue', 'green', 'red'] }],
    kind: 'category_added',
  },
  {
    model: 'category-removed',
    inputs: [x, y, { ...color, categories: ['blue'] }],
    kind: 'category_removed',
  },
  { model: 'output', inputs: V1, labels: ['neg', 'pos', 'zero'], kind: 'output' },
];

/** What a v1 client sends: a null where v1 allows one, both categories v1 knows. */
const ROWS = [
  { sepal: 1.5, width: null, colour: 'red' },
  { sepal: -1, width: 0.5, colour: 'blue' },
];

/** The same two rows in each protocol's request form. */
const REQUESTS: Record<string, (model: string) => { url: string; body: unknown }> = {
  'TF Serving rows': (m) => ({ url: `/v1/models/${m}:predict`, body: { instances: ROWS } }),
  'TF Serving columns': (m) => ({
    url: `/v1/models/${m}:predict`,
    body: { inputs: { sepal: [1.5, -1], width: [null, 0.5], colour: ['red', 'blue'] } },
  }),
  'platform records': (m) => ({
    url: `/v1/models/${m}:predict?format=platform`,
    body: { instances: ROWS },
  }),
  'MLflow dataframe_split': (m) => ({
    url: `/invocations?model=${m}`,
    body: {
      dataframe_split: {
        columns: ['sepal', 'width', 'colour'],
        data: ROWS.map((r) => [r.sepal, r.width, r.colour]),
      },
    },
  }),
  'MLflow dataframe_records': (m) => ({
    url: `/invocations?model=${m}`,
    body: { dataframe_records: ROWS },
  }),
  'Open Inference Protocol v2': (m) => ({
    url: `/v2/models/${m}/infer`,
    body: {
      inputs: [
        { name: 'sepal', shape: [2], datatype: 'FP32', data: [1.5, -1] },
        { name: 'width', shape: [2], datatype: 'FP32', data: [null, 0.5] },
        { name: 'colour', shape: [2], datatype: 'BYTES', data: ['red', 'blue'] },
      ],
    },
  }),
};

const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
const verdicts = new Map<string, SignatureCompatibility>();

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  const source = new MemoryModelSource();
  const v1 = await signatureBundle(V1);
  for (const c of CASES) {
    const v2 = await signatureBundle(c.inputs, c.labels);
    publish(source, c.model, 1, v1);
    publish(source, c.model, 2, v2);
    source.setAlias(c.model, 'champion', 2);
    verdicts.set(
      c.model,
      compareSignatures(v2.manifest.signature, v1.manifest.signature, {
        alias: 'champion',
        version: 1,
      }),
    );
  }
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: CASES.map((c) => c.model).join(','),
  });
  for (const c of CASES)
    await eventually(() => app.serving.models.get(c.model)?.loaded ?? undefined, c.model);
}, 120_000);

afterAll(() => tearDown({ app, redis, prefix }));

describe('a v1 client against v2, for each kind of signature change', () => {
  for (const c of CASES) {
    it(`${c.kind}: the classification says what each protocol answers`, async () => {
      const verdict = verdicts.get(c.model)!;
      expect(verdict.changes.map((ch) => ch.kind)).toEqual([c.kind]);
      const [change] = verdict.changes;
      for (const [protocol, request] of Object.entries(REQUESTS)) {
        const { url, body } = request(c.model);
        const res = await postJson(app, url, body);
        const what = `${protocol}: ${res.body.slice(0, 300)}`;
        if (change!.effect === 'refused') {
          expect(res.statusCode, what).toBe(400);
          // TF Serving and OIP carry the message in `error`, MLflow in `message`.
          const body = res.json<{ error?: string; message?: string }>();
          expect(body.error ?? body.message, what).toContain(change!.feature);
        } else {
          expect(res.statusCode, what).toBe(200);
        }
      }
      expect(verdict.breaking).toBe(change!.effect !== 'none');
    });
  }

  it('answers a v2 model with a new nullable feature alike whether it is left out or null', async () => {
    const without = await postJson(app, '/v1/models/added-optional:predict?format=platform', {
      instances: ROWS,
    });
    const withNull = await postJson(app, '/v1/models/added-optional:predict?format=platform', {
      instances: ROWS.map((r) => ({ ...r, petal: null })),
    });
    const predictions = (r: typeof without) => r.json<{ predictions: unknown[] }>().predictions;
    expect(predictions(without)).toEqual(predictions(withNull));
  });

  it('answers an output change with the new labels (answer_changed)', async () => {
    const res = await postJson(app, '/v1/models/output:predict?format=platform', {
      instances: ROWS,
    });
    const [first] = res.json<{ predictions: Array<{ probabilities: object }> }>().predictions;
    expect(Object.keys(first!.probabilities).sort()).toEqual(['neg', 'pos', 'zero']);
  });
});
