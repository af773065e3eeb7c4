/**
 * The image baseline in-process, no HTTP: the bundle's TF.js LayersModel and `model.predict(x,
 * {batchSize: n})` in a loop, one call after another, for each batch size n. Two figures per n,
 * the baselines of serving's two ways in:
 *   tensor  predict on pixels already decoded: a float tensor from the 0–255 pixels, scaled as
 *           the input declares, predict, read the answer (what OIP v2 FP32 requests reach)
 *   decode  the same after decoding and resizing n JPEGs with serving's sharp path
 *           (decodeImage, the n images concurrently as serving decodes a request's images):
 *           what TF Serving `{"b64": …}` requests reach
 * Prints one JSON line: `{"1": {"tensor_images_per_s": …, "decode_images_per_s": …}, …}`.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { exampleElements, type ImageDecoding } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadTfModel } from '@mlops/ml/bundle';
import { decodeImage } from '@mlops/ml/image';
import { readBenchBundle } from '../bundle-dir';
import { readBenchJpeg } from '../image-bundle';

const [dir = '', seconds = '3', batches = '1,8,32'] = process.argv.slice(2);
await initBackend('auto');
const tf = getTf();
const { manifest, files } = await readBenchBundle(dir);
const loaded = await loadTfModel(manifest, files);
if (loaded.format !== 'layers-model') throw new Error('the image benchmark expects a Layers model');
const model = loaded.model;
const input = manifest.signature.tensors?.inputs[0];
if (input?.kind !== 'image') throw new Error('the bundle has no image input');
const dec: ImageDecoding = input.decoding;
const jpeg = new Uint8Array(await readBenchJpeg(dir));
const size = exampleElements(input.shape);
const dims = input.shape.slice(1);

function predict(pixels: Uint8Array, n: number): Float32Array {
  return tf.tidy(() => {
    const x = tf
      .tensor(pixels, [n, ...dims], 'int32')
      .toFloat()
      .mul(dec.scale);
    return (model.predict(x, { batchSize: n }) as Tensor).dataSync() as Float32Array;
  });
}

async function decodeAll(n: number): Promise<Uint8Array> {
  const decoded = await Promise.all(
    Array.from({ length: n }, () => decodeImage(input!.name, jpeg, dec)),
  );
  const pixels = new Uint8Array(size * n);
  for (const [i, d] of decoded.entries()) pixels.set(d.data, i * size);
  return pixels;
}

/**
 * Images per second of `step` (one call of n images) over `ms`, after a warm-up of three calls
 * and at least 300 ms: a batch size's first predict builds its kernels and can take seconds.
 */
async function imagesPerSecond(n: number, ms: number, step: () => unknown): Promise<number> {
  const warm = performance.now() + 300;
  for (let i = 0; i < 3 || performance.now() < warm; i++) await step();
  const start = performance.now();
  const end = start + ms;
  let done = 0;
  while (performance.now() < end) {
    await step();
    done += n;
  }
  return Math.round((done / ((performance.now() - start) / 1000)) * 10) / 10;
}

const sizes = batches.split(',').map(Number);
// Half of `seconds` per figure: a load phase's length for the pair of them.
const ms = (Number(seconds) * 1000) / 2;
const out: Record<string, { tensor_images_per_s: number; decode_images_per_s: number }> = {};
const first = await decodeAll(1);
for (const n of sizes) {
  const ready = new Uint8Array(size * n);
  for (let i = 0; i < n; i++) ready.set(first, i * size);
  out[n] = {
    tensor_images_per_s: await imagesPerSecond(n, ms, () => predict(ready, n)),
    decode_images_per_s: await imagesPerSecond(n, ms, async () => predict(await decodeAll(n), n)),
  };
}
model.dispose();
process.stdout.write(`${JSON.stringify(out)}\n`);
