import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { mulberry32 } from '@mlops/ml/split';
import { decodeImage } from '@mlops/ml/image';
import { embeddingVector } from '@mlops/ml/summary';
import type { ServingApp } from '../src/app';
import type { ServedBatch } from '../src/payload-log';
import { tensorBatchRows } from '../src/models/loader';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { publishTensorModel } from './support/tensor-models';

/**
 * Tensor serving with small models built here: a conv net on 8×8 RGB images and a model with
 * two inputs and two outputs. Answers are compared with the model's own predict on the same
 * values; every bad input is a 400 naming the input.
 */
const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
let conv: tfTypes.LayersModel;
let twin: tfTypes.LayersModel;
const logged: ServedBatch[] = [];
const EXAMPLE = 8 * 8 * 3;

function buildConv(): tfTypes.LayersModel {
  const tf = getTf();
  const input = tf.input({ shape: [8, 8, 3], name: 'pixels' });
  const c = tf.layers
    .conv2d({
      filters: 2,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tfTypes.SymbolicTensor;
  const flat = tf.layers.flatten().apply(c) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: 3,
      activation: 'softmax',
      name: 'probs',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    })
    .apply(flat) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function buildTwin(): tfTypes.LayersModel {
  const tf = getTf();
  const img = tf.input({ shape: [4, 4, 1], name: 'img' });
  const vec = tf.input({ shape: [3], name: 'vec' });
  const flat = tf.layers.flatten().apply(img) as tfTypes.SymbolicTensor;
  const both = tf.layers.concatenate().apply([flat, vec]) as tfTypes.SymbolicTensor;
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const probs = tf.layers
    .dense({ units: 2, activation: 'softmax', name: 'probs', kernelInitializer: init(3) })
    .apply(both) as tfTypes.SymbolicTensor;
  const emb = tf.layers
    .dense({ units: 2, name: 'emb', kernelInitializer: init(4) })
    .apply(both) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: [img, vec], outputs: [probs, emb] });
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await initBackend();
  conv = buildConv();
  twin = buildTwin();
  const source = new MemoryModelSource();
  await publishTensorModel(source, 'conv', await serializeModel(conv), {
    task: 'classification',
    inputs: [{ image: { channels: 3, height: 8, width: 8, resize: 'bilinear', scale: 1 / 255 } }],
    labels: ['a', 'b', 'c'],
  });
  await publishTensorModel(source, 'twin', await serializeModel(twin), {
    task: 'classification',
    outputs: [
      { name: 'probs', role: 'probabilities' },
      { name: 'emb', role: 'embedding' },
    ],
    labels: ['no', 'yes'],
  });
  app = await startApp(
    source,
    {
      MLOPS_REDIS_PREFIX: prefix,
      SERVING_MODELS: 'conv,twin',
      // Requests wait up to 50 ms for company, so concurrent ones share one predict call.
      SERVING_MAX_LATENCY_MS: '50',
      // Five 8×8×3 images (960 values) per request at most: the bound on what images decode to.
      SERVING_MAX_REQUEST_VALUES: '1000',
    },
    { wrapLogSink: () => ({ record: (b) => logged.push(b) }) },
  );
  for (const m of ['conv', 'twin'])
    await eventually(() => app.serving.models.get(m)?.loaded ?? undefined, `${m} loaded`);
}, 60_000);

afterAll(async () => {
  conv.dispose();
  twin.dispose();
  await tearDown({ app, redis, prefix });
});

/** Deterministic pixels 0–255 for example `k`. */
function pixels(k: number, n = EXAMPLE): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + k * 101 + 11) % 256);
}

/** conv's own predict on 0–255 pixels ([n, 8, 8, 3]), scaled as its decoding declares. */
function convPredict(px: Uint8Array): number[][] {
  const tf = getTf();
  const n = px.length / EXAMPLE;
  const y = tf.tidy(() =>
    (conv.predict(tf.tensor4d(px, [n, 8, 8, 3]).toFloat().div(255)) as tfTypes.Tensor).arraySync(),
  );
  return y as number[][];
}

function nested(px: Uint8Array): number[][][] {
  return Array.from({ length: 8 }, (_, y) =>
    Array.from({ length: 8 }, (_, x) =>
      Array.from(px.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)),
    ),
  );
}

function expectClose(actual: unknown, expected: number[][]): void {
  const a = actual as number[][];
  expect(a).toHaveLength(expected.length);
  for (const [i, row] of expected.entries())
    for (const [j, v] of row.entries()) expect(Math.abs(a[i]![j]! - v)).toBeLessThanOrEqual(1e-5);
}

function post(url: string, body: unknown) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

/** The binary tensor extension: JSON header, then each input's bytes in order. */
function binary(url: string, header: object, ...blobs: Uint8Array[]) {
  const json = Buffer.from(JSON.stringify(header));
  return app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(json.length),
    },
    payload: Buffer.concat([
      json,
      ...blobs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    ]),
  });
}

function bytesOf(a: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

async function png(px: Uint8Array, w = 8, h = 8): Promise<Buffer> {
  return sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

async function execCount(model: string): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`serving_inference_exec_count_total{model="${model}"`));
  return Number(line?.split(' ').pop() ?? 0);
}

describe('tensor models through the serving protocols', () => {
  it('batches concurrent tensor requests into one predict call, each answered its own', async () => {
    const before = await execCount('conv');
    const requests = [0, 1, 2, 3, 4].map((k) =>
      post('/v1/models/conv:predict', { instances: [nested(pixels(k))] }),
    );
    requests.push(
      post('/v1/models/conv:predict', { instances: [nested(pixels(5)), nested(pixels(6))] }),
    );
    const answers = await Promise.all(requests);
    for (const [k, res] of answers.entries()) {
      expect(res.statusCode).toBe(200);
      const px = k < 5 ? pixels(k) : Buffer.concat([pixels(5), pixels(6)]);
      expectClose(
        res.json<{ predictions: unknown }>().predictions,
        convPredict(new Uint8Array(px)),
      );
    }
    expect((await execCount('conv')) - before).toBeLessThan(answers.length);
  });

  it('keeps a tensor batch within SERVING_MAX_REQUEST_VALUES', () => {
    const image = (h: number) => ({
      kind: 'tensor' as const,
      name: 'x',
      dtype: 'float32' as const,
      shape: [-1, h, h, 3],
    });
    const outputs = [
      { name: 'y', dtype: 'float32' as const, shape: [-1, 2], role: 'other' as const },
    ];
    const limits = {
      maxBatchRows: 256,
      maxLatencyMs: 0,
      maxQueueRows: 1,
      maxBatchValues: 16 * 1024 * 1024,
    };
    expect(tensorBatchRows(limits, { inputs: [image(224)], outputs })).toBe(111);
    expect(tensorBatchRows(limits, { inputs: [image(8)], outputs })).toBe(256);
    expect(tensorBatchRows(limits, { inputs: [image(4096)], outputs })).toBe(1);
  });

  it('takes columnar inputs, bare for one input, and answers a bare output', async () => {
    const px = Buffer.concat([pixels(1), pixels(2)]);
    const res = await post('/v1/models/conv:predict', {
      inputs: [nested(pixels(1)), nested(pixels(2))],
    });
    expect(res.statusCode).toBe(200);
    expectClose(res.json<{ outputs: unknown }>().outputs, convPredict(new Uint8Array(px)));
  });

  it('takes OIP v2 UINT8 and FP32 as JSON and as binary tensors', async () => {
    const px = new Uint8Array(Buffer.concat([pixels(3), pixels(4)]));
    const expected = convPredict(px);
    const shape = [2, 8, 8, 3];
    const url = '/v2/models/conv/infer';
    const asV2 = (res: { json(): unknown }) => {
      const out = (
        res.json() as { outputs: Array<{ name: string; shape: number[]; data: number[] }> }
      ).outputs[0]!;
      expect(out).toMatchObject({ name: 'probs', shape: [2, 3] });
      return [out.data.slice(0, 3), out.data.slice(3)];
    };
    for (const res of [
      await post(url, {
        inputs: [{ name: 'pixels', shape, datatype: 'UINT8', data: Array.from(px) }],
      }),
      await post(url, {
        inputs: [
          {
            name: 'pixels',
            shape,
            datatype: 'FP32',
            data: [nested(px.subarray(0, EXAMPLE)), nested(px.subarray(EXAMPLE))],
          },
        ],
      }),
      await binary(
        url,
        {
          inputs: [
            {
              name: 'pixels',
              shape,
              datatype: 'UINT8',
              parameters: { binary_data_size: px.length },
            },
          ],
        },
        px,
      ),
      await binary(
        url,
        {
          inputs: [
            {
              name: 'pixels',
              shape,
              datatype: 'FP32',
              parameters: { binary_data_size: px.length * 4 },
            },
          ],
        },
        bytesOf(Float32Array.from(px)),
      ),
    ]) {
      expect(res.statusCode, res.body).toBe(200);
      expectClose(asV2(res), expected);
    }
  });

  it("answers binary outputs when asked, as Triton's Python client does by default", async () => {
    const px = pixels(5);
    const res = await binary(
      '/v2/models/conv/infer',
      {
        parameters: { binary_data_output: true },
        inputs: [
          {
            name: 'pixels',
            shape: [1, 8, 8, 3],
            datatype: 'UINT8',
            parameters: { binary_data_size: px.length },
          },
        ],
      },
      px,
    );
    expect(res.statusCode, res.body).toBe(200);
    const headerLength = Number(res.headers['inference-header-content-length']);
    const raw = res.rawPayload;
    const header = JSON.parse(raw.subarray(0, headerLength).toString('utf8')) as {
      outputs: Array<{ name: string; shape: number[]; parameters: { binary_data_size: number } }>;
    };
    expect(header.outputs).toEqual([
      { name: 'probs', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } },
    ]);
    expect(raw.length).toBe(headerLength + 12);
    const data = new Float32Array(new Uint8Array(raw.subarray(headerLength)).buffer);
    expectClose([Array.from(data)], convPredict(px));
  });

  it('decodes encoded images: b64, OIP BYTES (JSON and binary) and an image/jpeg body', async () => {
    const px = pixels(7);
    const image = await png(px); // lossless: decodes to exactly px
    const expected = convPredict(px);
    const b64 = await post('/v1/models/conv:predict', {
      instances: [{ b64: image.toString('base64') }],
    });
    expect(b64.statusCode, b64.body).toBe(200);
    expectClose(b64.json<{ predictions: unknown }>().predictions, expected);

    const json = await post('/v2/models/conv/infer', {
      inputs: [{ name: 'pixels', shape: [1], datatype: 'BYTES', data: [image.toString('base64')] }],
    });
    expect(json.statusCode, json.body).toBe(200);
    const prefix4 = Buffer.alloc(4);
    prefix4.writeUInt32LE(image.length);
    const element = Buffer.concat([prefix4, image]);
    const bin = await binary(
      '/v2/models/conv/infer',
      {
        inputs: [
          {
            name: 'pixels',
            shape: [1],
            datatype: 'BYTES',
            parameters: { binary_data_size: element.length },
          },
        ],
      },
      element,
    );
    expect(bin.statusCode, bin.body).toBe(200);
    for (const res of [json, bin])
      expectClose([res.json<{ outputs: Array<{ data: number[] }> }>().outputs[0]!.data], expected);

    // curl --data-binary @photo.jpg -H 'Content-Type: image/jpeg': a larger JPEG, resized.
    const big = Uint8Array.from({ length: 32 * 24 * 3 }, (_, i) => (i * 7) % 256);
    const jpeg = await sharp(Buffer.from(big), { raw: { width: 32, height: 24, channels: 3 } })
      .jpeg()
      .toBuffer();
    const decoded = await decodeImage('pixels', jpeg, {
      channels: 3,
      height: 8,
      width: 8,
      resize: 'bilinear',
    });
    const raw = await app.inject({
      method: 'POST',
      url: '/v1/models/conv:predict',
      headers: { 'content-type': 'image/jpeg' },
      payload: jpeg,
    });
    expect(raw.statusCode, raw.body).toBe(200);
    expectClose(raw.json<{ predictions: unknown }>().predictions, convPredict(decoded.data));
  });

  it('serves two inputs and two outputs, keyed by name in every format', async () => {
    const tf = getTf();
    const img = Array.from({ length: 16 }, (_, i) => i / 16);
    const vec = [0.5, -1, 2];
    const [probs, emb] = tf.tidy(() =>
      (
        twin.predict([tf.tensor4d(img, [1, 4, 4, 1]), tf.tensor2d(vec, [1, 3])]) as tfTypes.Tensor[]
      ).map((t) => t.arraySync() as number[][]),
    );
    const img4 = [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => [img[y * 4 + x]!]));
    const rows = await post('/v1/models/twin:predict', { instances: [{ img: img4, vec }] });
    expect(rows.statusCode, rows.body).toBe(200);
    const row = rows.json<{ predictions: Array<{ probs: number[]; emb: number[] }> }>()
      .predictions[0]!;
    expectClose([row.probs], probs!);
    expectClose([row.emb], emb!);

    const cols = await post('/v1/models/twin:predict', { inputs: { img: [img4], vec: [vec] } });
    expect(cols.statusCode, cols.body).toBe(200);
    const out = cols.json<{ outputs: { probs: number[][]; emb: number[][] } }>().outputs;
    expectClose(out.probs, probs!);
    expectClose(out.emb, emb!);

    const v2 = await post('/v2/models/twin/infer', {
      inputs: [
        { name: 'vec', shape: [1, 3], datatype: 'FP32', data: vec },
        { name: 'img', shape: [1, 4, 4, 1], datatype: 'FP32', data: img },
      ],
    });
    expect(v2.statusCode, v2.body).toBe(200);
    const outputs = v2.json<{ outputs: Array<{ name: string; data: number[] }> }>().outputs;
    expect(outputs.map((o) => o.name)).toEqual(['probs', 'emb']);
    expectClose([outputs[0]!.data], probs!);
    expectClose([outputs[1]!.data], emb!);
  });

  it('logs a hash and per-channel statistics of each image, not its pixels', async () => {
    const res = await post('/v1/models/conv:predict', { instances: [nested(pixels(9))] });
    expect(res.statusCode).toBe(200);
    const id = res.json<{ predictionIds: string[] }>().predictionIds[0]!;
    const batch = await eventually(
      () => logged.find((b) => b.ids.includes(id)),
      'the prediction logged',
    );
    const row = batch.rows[batch.ids.indexOf(id)]!;
    expect(Object.keys(row).sort()).toEqual(
      [
        'pixels.mean_c0',
        'pixels.mean_c1',
        'pixels.mean_c2',
        'pixels.sha256',
        'pixels.shape',
        'pixels.std_c0',
        'pixels.std_c1',
        'pixels.std_c2',
        // The 4×4 thumbnail per channel: 48 bytes as base64, not the 192 values.
        'pixels.embedding',
      ].sort(),
    );
    expect(row['pixels.shape']).toBe('8x8x3');
    expect(row['pixels.sha256']).toMatch(/^[0-9a-f]{64}$/);
    const red = Array.from(pixels(9).filter((_, i) => i % 3 === 0));
    expect(row['pixels.mean_c0']).toBeCloseTo(red.reduce((a, b) => a + b, 0) / red.length, 3);
    // Thumbnail cell (0, 0) of the 8×8 image is its top-left 2×2 block; component 0 its red mean.
    const block = [0, 1, 8, 9].map((p) => red[p]!);
    const thumb = embeddingVector(row['pixels.embedding'], 48)!;
    expect(thumb[0]).toBe(Math.round(block.reduce((a, b) => a + b, 0) / 4));
    const prediction = batch.predictions[batch.ids.indexOf(id)]!;
    expect('label' in prediction && ['a', 'b', 'c'].includes(prediction.label)).toBe(true);
    // Raw pixels have no size of their own to log.
    expect(row).not.toHaveProperty('pixels.width');
  });

  it('logs the size an encoded image had before it was resized', async () => {
    const wide = Uint8Array.from({ length: 12 * 10 * 3 }, (_, i) => (i * 37) % 256);
    const image = await png(wide, 12, 10);
    const res = await post('/v1/models/conv:predict', {
      instances: [{ b64: image.toString('base64') }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json<{ predictionIds: string[] }>().predictionIds[0]!;
    const batch = await eventually(
      () => logged.find((b) => b.ids.includes(id)),
      'the prediction logged',
    );
    const row = batch.rows[batch.ids.indexOf(id)]!;
    expect(row).toMatchObject({ 'pixels.width': 12, 'pixels.height': 10, 'pixels.shape': '8x8x3' });
  });
});

/** A real PNG whose header claims `w`×`h` (CRC fixed): a decompression bomb's announcement. */
async function claimedPng(w: number, h: number): Promise<Buffer> {
  const bytes = Buffer.from(await png(pixels(0)));
  bytes.writeUInt32BE(w, 16);
  bytes.writeUInt32BE(h, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

describe('bad tensor inputs are 400s naming the input', () => {
  function refused(res: Awaited<ReturnType<typeof post>>, input: string): void {
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ error: string }>().error).toContain(`input "${input}"`);
  }

  it('refuses a wrong shape', async () => {
    const short = nested(pixels(0)).slice(0, 7);
    refused(await post('/v1/models/conv:predict', { instances: [short] }), 'pixels');
    refused(
      await post('/v2/models/conv/infer', {
        inputs: [
          {
            name: 'pixels',
            shape: [1, 8, 8, 4],
            datatype: 'UINT8',
            data: Array.from(pixels(0, 256)),
          },
        ],
      }),
      'pixels',
    );
    refused(
      await post('/v1/models/twin:predict', { instances: [{ img: [[[0]]], vec: [1, 2, 3] }] }),
      'img',
    );
  });

  it('refuses a wrong datatype', async () => {
    refused(
      await post('/v2/models/conv/infer', {
        inputs: [
          { name: 'pixels', shape: [1, 8, 8, 3], datatype: 'FP64', data: Array.from(pixels(0)) },
        ],
      }),
      'pixels',
    );
    refused(
      await post('/v2/models/twin/infer', {
        inputs: [
          { name: 'vec', shape: [1], datatype: 'BYTES', data: ['AAAA'] },
          { name: 'img', shape: [1, 4, 4, 1], datatype: 'FP32', data: Array(16).fill(0) },
        ],
      }),
      'vec',
    );
    refused(
      await post('/v2/models/conv/infer', {
        inputs: [
          {
            name: 'pixels',
            shape: [1, 8, 8, 3],
            datatype: 'UINT8',
            data: Array(EXAMPLE).fill(300),
          },
        ],
      }),
      'pixels',
    );
  });

  it('refuses a b64 that is not an image and an image over the pixel bound', async () => {
    refused(
      await post('/v1/models/conv:predict', {
        instances: [{ b64: Buffer.from('not an image').toString('base64') }],
      }),
      'pixels',
    );
    // Six tiny PNGs are a small body but decode past SERVING_MAX_REQUEST_VALUES: refused unread.
    const tiny = (await png(pixels(1))).toString('base64');
    const many = await post('/v1/models/conv:predict', {
      instances: Array.from({ length: 6 }, () => ({ b64: tiny })),
    });
    refused(many, 'pixels');
    expect(many.json<{ error: string }>().error).toContain('SERVING_MAX_REQUEST_VALUES');
    const five = await post('/v1/models/conv:predict', {
      instances: Array.from({ length: 5 }, () => ({ b64: tiny })),
    });
    expect(five.statusCode, five.body).toBe(200);
    const bomb = await claimedPng(100_000, 100_000);
    refused(
      await post('/v1/models/conv:predict', { instances: [{ b64: bomb.toString('base64') }] }),
      'pixels',
    );
    const raw = await app.inject({
      method: 'POST',
      url: '/v1/models/conv:predict',
      headers: { 'content-type': 'image/png' },
      payload: bomb,
    });
    refused(raw, 'pixels');
  });

  it('refuses a binary body whose sizes do not add up', async () => {
    const px = pixels(0);
    const header = (size: number) => ({
      inputs: [
        {
          name: 'pixels',
          shape: [1, 8, 8, 3],
          datatype: 'UINT8',
          parameters: { binary_data_size: size },
        },
      ],
    });
    const short = await binary('/v2/models/conv/infer', header(px.length + 10), px);
    expect(short.statusCode).toBe(400);
    expect(short.json<{ error: string }>().error).toContain('add up to');
    // Sizes agree with the body but not with the shape.
    refused(await binary('/v2/models/conv/infer', header(px.length - 1), px.subarray(1)), 'pixels');
    const json = Buffer.from(JSON.stringify(header(px.length)));
    const lying = await app.inject({
      method: 'POST',
      url: '/v2/models/conv/infer',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(json.length + px.length + 5),
      },
      payload: Buffer.concat([json, px]),
    });
    expect(lying.statusCode).toBe(400);
    // No content type at all, as some clients of the extension send it: still read.
    const bare = Buffer.from(JSON.stringify(header(px.length)));
    const untyped = await app.inject({
      method: 'POST',
      url: '/v2/models/conv/infer',
      headers: { 'inference-header-content-length': String(bare.length) },
      payload: Buffer.concat([bare, px]),
    });
    expect(untyped.statusCode, untyped.body).toBe(200);
    expect(lying.json<{ error: string }>().error).toContain('Inference-Header-Content-Length');
  });
});

describe('fuzzed tensor requests', () => {
  it('answers a few hundred malformed tensor bodies below 500, and still serves', async () => {
    const r = mulberry32(17); // seeded: a failure reproduces
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const value = (depth: number): unknown => {
      const kinds = depth > 3 ? ['n', 's', 'b64'] : ['n', 's', 'arr', 'obj', 'b64', 'pix'];
      switch (pick(kinds)) {
        case 'n':
          return pick([0, -1, 255, 256, 1.5, 1e308, -1e308, null, true]);
        case 's':
          return pick(['', 'x', 'AAAA', '////', '=', '\u0000']);
        case 'b64':
          return { b64: pick(['', 'AAAA', 'not base64!', '/9j/4AAQ', 'iVBORw0KGgo=']) };
        case 'pix':
          return nested(pixels(1)).slice(0, Math.floor(r() * 9));
        case 'arr':
          return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
        default:
          return Object.fromEntries(
            Array.from({ length: Math.floor(r() * 3) }, () => [
              pick(['pixels', 'img', 'vec', 'b64', 'x']),
              value(depth + 1),
            ]),
          );
      }
    };
    const datatypes = ['FP32', 'UINT8', 'INT32', 'BYTES', 'FP64', 'BOOL'];
    for (let i = 0; i < 300; i++) {
      const model = pick(['conv', 'twin']);
      const kind = pick(['rows', 'cols', 'v2', 'bin']);
      let res;
      if (kind === 'rows')
        res = await post(`/v1/models/${model}:predict`, { instances: [value(0), value(0)] });
      else if (kind === 'cols')
        res = await post(`/v1/models/${model}:predict`, { inputs: value(0) });
      else {
        const input = {
          name: pick(['pixels', 'img', 'vec', 'x']),
          shape: Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick([0, 1, 2, 3, 8, 1e9])),
          datatype: pick(datatypes),
        };
        if (kind === 'v2')
          res = await post(`/v2/models/${model}/infer`, { inputs: [{ ...input, data: value(0) }] });
        else {
          const blob = pixels(i, Math.floor(r() * 800));
          res = await binary(
            `/v2/models/${model}/infer`,
            {
              inputs: [
                { ...input, parameters: { binary_data_size: pick([blob.length, 0, 7, -1, 'x']) } },
              ],
            },
            blob,
          );
        }
      }
      expect(res.statusCode, `${i} ${kind}: ${res.body}`).toBeLessThan(500);
    }
    const ok = await post('/v1/models/conv:predict', { instances: [nested(pixels(0))] });
    expect(ok.statusCode).toBe(200);
  });

  it('answers MLflow tensor inputs, and names the input of a bad one', async () => {
    const mlflow = (body: unknown) =>
      app.inject({
        method: 'POST',
        url: '/invocations?model=conv',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const px = new Uint8Array(Buffer.concat([pixels(2), pixels(3)]));
    for (const body of [
      { inputs: [nested(pixels(2)), nested(pixels(3))] },
      { instances: [nested(pixels(2)), nested(pixels(3))] },
      { inputs: { pixels: [nested(pixels(2)), nested(pixels(3))] } },
    ]) {
      const res = await mlflow(body);
      expect(res.statusCode, res.body).toBe(200);
      expectClose(res.json<{ predictions: unknown }>().predictions, convPredict(px));
    }
    const bad = await mlflow({ inputs: [[1, 2, 3]] });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.body).toContain('input \\"pixels\\"');
    const records = await mlflow({ dataframe_records: [{ a: 1 }] });
    expect(records.statusCode).toBe(400);
    expect(records.body).toContain('takes tensors');
  });
});
