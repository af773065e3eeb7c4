/**
 * An image-like ONNX graph ([batch, 16, 16, 3] channels last → Conv, pooling, Gemm, Softmax)
 * imported into a real registry as a tensor model with its decoding declared, served from the
 * registry: a TF Serving b64 JPEG gets the in-process ONNX Runtime session's probabilities on
 * the decoded, scaled pixels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { decodeImage } from '@mlops/ml/image';
import { createOnnxSession } from '@mlops/ml/onnx';
import { convClassifier } from '@mlops/ml/onnx/testing';
import type { ServingApp } from '../src/app';
import { registrySource } from '../src/models/registry-source';
import { eventually, postJson, startApp } from './support/app';
import { photoJpeg } from './support/photo';

const TOKEN = 'onnx-image-token-0123456789abcdef';
const MODEL = 'onnx-lesions';
const graph = convClassifier({ height: 16, width: 16, channels: 3, classes: 2 });
const decoding = { channels: 3 as const, height: 16, width: 16, resize: 'bilinear' as const };

let registry: TestRegistry;
let client: RegistryClient;
let app: ServingApp;

beforeAll(async () => {
  registry = await startTestRegistry({ token: TOKEN, name: 'onnx-image' });
  client = createRegistryClient({ url: registry.url, token: TOKEN });
  const ref = await client.uploadBlob(Buffer.from(graph));
  const version = await client.api.versions.import.mutate({
    model: MODEL,
    task: 'classification',
    target: 'diagnosis',
    labels: ['benign', 'malignant'],
    tensorInputs: [{ image: { ...decoding, scale: 1 / 255 } }],
    files: [{ path: 'model.onnx', sha256: ref.sha256, size: ref.size }],
  });
  expect(version.manifest.signature.tensors?.inputs[0]).toMatchObject({
    kind: 'image',
    name: 'image',
    shape: [-1, 16, 16, 3],
  });
  await client.api.aliases.set.mutate({ model: MODEL, alias: 'champion', version: 1 });
  app = await startApp(registrySource(client), {
    MLOPS_REDIS_PREFIX: registry.prefix,
    SERVING_MODELS: MODEL,
  });
  await eventually(() => app.serving.models.get(MODEL)?.loaded ?? undefined, 'v1 in service');
}, 120_000);

afterAll(async () => {
  await app?.close();
  await registry?.close();
});

describe('an imported ONNX image model', () => {
  it('answers a TF Serving b64 image with the in-process session outputs', async () => {
    const jpeg = await photoJpeg();
    const { data: pixels } = await decodeImage('image', jpeg, decoding);
    const session = await createOnnxSession(graph);
    const out = await session.run({
      image: {
        type: 'float32',
        data: Float32Array.from(pixels, (v) => v / 255),
        dims: [1, 16, 16, 3],
      },
    });
    await session.dispose();
    const expected = Array.from(out.probabilities!.data as Float32Array);

    const res = await postJson(app, `/v1/models/${MODEL}:predict`, {
      instances: [{ b64: jpeg.toString('base64') }],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ predictions: number[][] }>();
    expect(body.predictions).toHaveLength(1);
    for (const [k, p] of body.predictions[0]!.entries()) expect(p).toBeCloseTo(expected[k]!, 5);
    expect(app.serving.models.get(MODEL)?.loaded?.predictor.engine).toBe('onnx');
  });

  it('refuses an image of another size with 400 naming the input', async () => {
    const res = await postJson(app, `/v2/models/${MODEL}/infer`, {
      inputs: [
        { name: 'image', shape: [1, 8, 8, 3], datatype: 'FP32', data: new Array(192).fill(0) },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('image');
  });
});
