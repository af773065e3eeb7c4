import type * as tfTypes from '@tensorflow/tfjs';
import { modelVersionSchema, type BundleFile, type ModelVersion } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import type { Stack } from './stack';

/**
 * Real TF.js models built here and brought in with `versions.import`, as a user with a model
 * trained elsewhere would: faster than a training run, and the same bundle serving loads.
 */

async function uploadBlob(stack: Stack, path: string, bytes: Uint8Array): Promise<BundleFile> {
  const res = await fetch(`${stack.urls.registry}/api/blobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(bytes),
  });
  if (res.status !== 201) throw new Error(`blob upload: ${res.status} ${await res.text()}`);
  const { sha256, size } = (await res.json()) as { sha256: string; size: number };
  return { path, sha256, size };
}

async function importVersion(stack: Stack, input: Record<string, unknown>): Promise<ModelVersion> {
  const res = await fetch(`${stack.urls.registry}/trpc/versions.import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { result?: { data?: unknown } };
  if (!res.ok) throw new Error(`versions.import: ${res.status} ${JSON.stringify(body)}`);
  return modelVersionSchema.parse(body.result?.data);
}

async function serialized(stack: Stack, model: tfTypes.LayersModel): Promise<BundleFile[]> {
  const files = await serializeModel(model);
  model.dispose();
  return Promise.all(files.map((f) => uploadBlob(stack, f.path, f.bytes)));
}

export const IMAGE_SIZE = 32;

/** A small conv net, [-1, 32, 32, 3] → the three lesion classes, fed raw JPEG/PNG bytes. */
export async function importImageModel(
  stack: Stack,
  name: string,
  labels: readonly string[],
): Promise<ModelVersion> {
  await initBackend();
  const tf = getTf();
  const image = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 3], name: 'image' });
  const maps = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, activation: 'relu' })
    .apply(image) as tfTypes.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(maps) as tfTypes.SymbolicTensor;
  const scores = tf.layers
    .dense({ units: labels.length, activation: 'softmax', name: 'scores' })
    .apply(pooled) as tfTypes.SymbolicTensor;
  const files = await serialized(stack, tf.model({ inputs: image, outputs: scores }));
  return importVersion(stack, {
    model: name,
    task: 'classification',
    target: 'label',
    tensorInputs: [
      { image: { channels: 3, height: IMAGE_SIZE, width: IMAGE_SIZE, scale: 1 / 255 } },
    ],
    labels,
    files,
    description: 'a small conv net built by the dashboard e2e test',
  });
}

/** A dense model over two numbers and a colour: the form's three kinds of field. */
export async function importTabularModel(stack: Stack, name: string): Promise<ModelVersion> {
  await initBackend();
  const tf = getTf();
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [5], activation: 'softmax' })],
  });
  return importVersion(stack, {
    model: name,
    task: 'classification',
    target: 'species',
    inputs: [
      { name: 'petal_length', type: 'numeric', nullable: false },
      { name: 'petal_width', type: 'numeric', nullable: true, impute: 1 },
      {
        name: 'colour',
        type: 'categorical',
        nullable: false,
        categories: ['blue', 'red', 'white'],
      },
    ],
    labels: ['setosa', 'virginica'],
    files: await serialized(stack, model),
  });
}
