import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorSignature } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { decodeImage } from '@mlops/ml/image';
import { nsfwjsMobileNetV2 } from '@mlops/ml/testing';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import { eventually, REDIS_URL, startApp, tearDown, testPrefix } from './support/app';
import { publishTensorModel } from './support/tensor-models';
import { photoJpeg } from './support/photo';

/**
 * The "Done when": a real image model shipped in an npm package (NSFWJS MobileNetV2),
 * imported as [-1, 224, 224, 3] with its decoding declared, answers a TF Serving b64 request and
 * an OIP v2 FP32 [1, 224, 224, 3] request over HTTP with model.predict's probabilities on the
 * same decoded pixels.
 */
const { files, labels } = nsfwjsMobileNetV2(createRequire(import.meta.url));
const prefix = testPrefix();
let app: ServingApp;
let redis: Redis;
let base: string;
let signature: TensorSignature;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await initBackend();
  const source = new MemoryModelSource();
  signature = await publishTensorModel(source, 'nsfw', files, {
    task: 'classification',
    inputs: [
      { image: { channels: 3, height: 224, width: 224, resize: 'bilinear', scale: 1 / 255 } },
    ],
    labels,
  });
  app = await startApp(source, { MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: 'nsfw' });
  await eventually(() => app.serving.models.get('nsfw')?.loaded ?? undefined, 'nsfw loaded');
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await tearDown({ app, redis, prefix });
});

/** The package's model loaded straight from its bytes, not through serving. */
async function referenceModel(): Promise<tfTypes.LayersModel> {
  const tf = getTf();
  const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as {
    modelTopology: object;
    weightsManifest: Array<{ weights: tfTypes.io.WeightsManifestEntry[] }>;
  };
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: new Uint8Array(Buffer.concat(files.slice(1).map((f) => Buffer.from(f.bytes))))
        .buffer,
    }),
  );
}

function post(path: string, body: unknown) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(body),
  });
}

function expectWithin(actual: readonly number[], expected: ArrayLike<number>, tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < actual.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance);
}

describe('an imported [-1, 224, 224, 3] image model over HTTP (NSFWJS MobileNetV2)', () => {
  it('answers TF Serving b64 and OIP v2 FP32 with model.predict on the decoded pixels', async () => {
    expect(signature.inputs[0]).toMatchObject({ name: 'input_1', shape: [-1, 224, 224, 3] });
    const jpeg = await photoJpeg();
    const input = signature.inputs[0]!;
    if (input.kind !== 'image') throw new Error('expected an image input');
    const { data: pixels } = await decodeImage('input_1', jpeg, input.decoding);

    const tf = getTf();
    const reference = await referenceModel();
    const expected = tf.tidy(() =>
      (
        reference.predict(
          tf.tensor4d(pixels, [1, 224, 224, 3]).toFloat().div(255),
        ) as tfTypes.Tensor
      ).dataSync(),
    );
    reference.dispose();

    const b64 = await post('/v1/models/nsfw:predict', {
      instances: [{ b64: jpeg.toString('base64') }],
    });
    expect(b64.status).toBe(200);
    const tfBody = (await b64.json()) as { predictions: number[][] };
    expect(tfBody.predictions).toHaveLength(1);
    expectWithin(tfBody.predictions[0]!, expected, 1e-5);

    const v2 = await post('/v2/models/nsfw/infer', {
      inputs: [
        { name: 'input_1', shape: [1, 224, 224, 3], datatype: 'FP32', data: Array.from(pixels) },
      ],
    });
    expect(v2.status).toBe(200);
    const v2Body = (await v2.json()) as {
      outputs: Array<{ name: string; shape: number[]; datatype: string; data: number[] }>;
    };
    expect(v2Body.outputs).toHaveLength(1);
    expect(v2Body.outputs[0]).toMatchObject({ shape: [1, 5], datatype: 'FP32' });
    expectWithin(v2Body.outputs[0]!.data, expected, 1e-5);

    // The metadata declares the tensor as imported.
    const meta = await fetch(`${base}/v2/models/nsfw`, {
      headers: { authorization: 'Bearer test' },
    });
    expect(await meta.json()).toMatchObject({
      inputs: [{ name: 'input_1', datatype: 'FP32', shape: [-1, 224, 224, 3] }],
      outputs: [{ datatype: 'FP32', shape: [-1, 5] }],
    });
  }, 120_000);
});
