import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ImageDecoding, TensorInput } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel, type TensorImportRequest } from '@mlops/ml/bundle';
import { nsfwjsMobileNetV2 } from '@mlops/ml/testing';
import { tensorBundleManifest, type Files } from '../test/support/tensor-models';
import { photoJpeg } from '../test/support/photo';

/**
 * The image benchmark's models, imported as a user would import them (an image input with its
 * decoding declared, no feature preprocessing):
 *   cnn        a CIFAR-sized conv net, [-1, 32, 32, 3] → conv 16 → pool → conv 32 → pool → 10
 *              classes; about 1.2 M multiply-adds an image, so HTTP, JSON and decoding show
 *   mobilenet  NSFWJS's MobileNetV2 (the devDependency image-model.test.ts imports),
 *              [-1, 224, 224, 3] → 5 classes; ≈ 13 images/s in-process on this machine, where the
 *              model's arithmetic is nearly all an image costs
 */
export type ImageBenchModel = 'cnn' | 'mobilenet';

/** The served model's name in the image server. */
export const IMAGE_MODEL_NAME = 'images';

export function describeImageModel(model: ImageBenchModel): string {
  return model === 'mobilenet'
    ? 'MobileNetV2 (NSFWJS) [-1, 224, 224, 3] → 5 classes'
    : 'conv net [-1, 32, 32, 3] → 16 → 32 → 10 classes';
}

function cnn(): tfTypes.LayersModel {
  const tf = getTf();
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [32, 32, 3], name: 'image' });
  let x = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tfTypes.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) })
    .apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', name: 'probs', kernelInitializer: init(3) })
    .apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function decoding(side: number): ImageDecoding {
  return { channels: 3, height: side, width: side, resize: 'bilinear', scale: 1 / 255 };
}

/** The model's files and its import request (the image input's decoding declared). */
async function modelFiles(
  model: ImageBenchModel,
): Promise<{ files: Files; request: TensorImportRequest }> {
  await initBackend('auto');
  if (model === 'mobilenet') {
    const { files, labels } = nsfwjsMobileNetV2(createRequire(import.meta.url));
    return {
      files,
      request: { task: 'classification', inputs: [{ image: decoding(224) }], labels },
    };
  }
  const net = cnn();
  const files = await serializeModel(net);
  net.dispose();
  const labels = Array.from({ length: 10 }, (_, i) => `class${i}`);
  return { files, request: { task: 'classification', inputs: [{ image: decoding(32) }], labels } };
}

/** Write the image model's bundle (manifest + files) to `dir`; answers its image input. */
export async function writeImageBundle(
  dir: string,
  model: ImageBenchModel,
): Promise<Extract<TensorInput, { kind: 'image' }>> {
  const { files, request } = await modelFiles(model);
  const { manifest, signature } = await tensorBundleManifest(files, request);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const f of files) await writeFile(join(dir, f.path), f.bytes);
  const input = signature.inputs[0];
  if (input?.kind !== 'image') throw new Error('the image model has no image input');
  return input;
}

/**
 * What clients send: a 320×240 photo-like JPEG (smooth gradients and a disc, quality 90, 5.5 kB),
 * decoded and resized by serving to the model's input. The same bytes every time.
 */
export async function benchJpeg(): Promise<Buffer> {
  return photoJpeg();
}

/** The JPEG's path in the bundle directory, for the in-process loop to read. */
export const JPEG_FILE = 'bench.jpg';

export async function writeBenchJpeg(dir: string): Promise<Buffer> {
  const jpeg = await benchJpeg();
  await writeFile(join(dir, JPEG_FILE), jpeg);
  return jpeg;
}

export async function readBenchJpeg(dir: string): Promise<Buffer> {
  return readFile(join(dir, JPEG_FILE));
}

/** A TF Serving predict body of `n` JPEGs: `{"instances": [{"b64": …}, …]}`. */
export function b64Body(jpeg: Buffer, n: number): string {
  const b64 = jpeg.toString('base64');
  return JSON.stringify({ instances: Array.from({ length: n }, () => ({ b64 })) });
}

/**
 * An OIP v2 infer body of `n` images as FP32 pixels (0–255, [n, h, w, c]): what a client that
 * decodes on its side sends, the pixels the JPEG decodes to repeated.
 */
export function v2Body(input: TensorInput, pixels: Uint8Array, n: number): string {
  const data: number[] = [];
  for (let i = 0; i < n; i++) for (const v of pixels) data.push(v);
  return JSON.stringify({
    inputs: [{ name: input.name, shape: [n, ...input.shape.slice(1)], datatype: 'FP32', data }],
  });
}
