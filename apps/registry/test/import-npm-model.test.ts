import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelVersion } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';
import { nsfwjsMobileNetV2 } from '@mlops/ml/testing';
import { expectClose, pixels, storedPredictor, uploadBlob } from './tensor-import-helpers';

let r: TestRegistry;
const { files, labels } = nsfwjsMobileNetV2(createRequire(import.meta.url));

beforeAll(async () => {
  r = await startTestRegistry();
  await initBackend();
});
afterAll(async () => {
  await r.close();
});

/** Loaded straight from the package's bytes, not through the registry: the reference. */
async function referenceModel(): Promise<tfTypes.LayersModel> {
  const tf = getTf();
  const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as {
    modelTopology: object;
    weightsManifest: Array<{ weights: tfTypes.io.WeightsManifestEntry[] }>;
  };
  const shards = files.slice(1).map((f) => Buffer.from(f.bytes));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: new Uint8Array(Buffer.concat(shards)).buffer,
    }),
  );
}

describe('a real TF.js model shipped in an npm package (NSFWJS MobileNetV2)', () => {
  it('imports with --image 224x224x3 --scale 1/255 and predicts like model.predict', async () => {
    const uploaded = await Promise.all(files.map((f) => uploadBlob(r, f.path, f.bytes)));
    const res = await trpc(
      r.app,
      'mutation',
      'versions.import',
      {
        model: 'nsfw',
        task: 'classification',
        target: 'class',
        files: uploaded,
        tensorInputs: [{ image: { channels: 3, height: 224, width: 224, scale: 1 / 255 } }],
        labels,
      },
      r.auth,
    );
    expect(res.status).toBe(200);
    const version = res.data as ModelVersion;
    const tensors = version.manifest.signature.tensors;
    expect(tensors?.inputs).toMatchObject([
      { kind: 'image', name: 'input_1', dtype: 'float32', shape: [-1, 224, 224, 3] },
    ]);
    expect(tensors?.outputs).toMatchObject([
      { dtype: 'float32', shape: [-1, 5], role: 'probabilities' },
    ]);
    expect(version.manifest.signature.output).toEqual({
      task: 'classification',
      target: 'class',
      labels,
    });
    expect(labels).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);

    const raw = pixels(2 * 224 * 224 * 3);
    const { predictor, dispose } = await storedPredictor(r, version);
    const out = predictor.predictTensors({ input_1: { data: raw, shape: [2, 224, 224, 3] } });
    dispose();
    const tf = getTf();
    const reference = await referenceModel();
    const expected = tf.tidy(() =>
      (
        reference.predict(tf.tensor4d(raw, [2, 224, 224, 3]).toFloat().div(255)) as tfTypes.Tensor
      ).dataSync(),
    );
    reference.dispose();
    const scores = out[tensors!.outputs[0]!.name]!;
    expect(scores.shape).toEqual([2, 5]);
    expectClose(scores.data, expected, 5);
  });

  it('refuses a declared image size the model does not take, naming the input', async () => {
    const uploaded = await Promise.all(files.map((f) => uploadBlob(r, f.path, f.bytes)));
    const res = await trpc(
      r.app,
      'mutation',
      'versions.import',
      {
        model: 'nsfw-small',
        task: 'classification',
        target: 'class',
        files: uploaded,
        tensorInputs: [{ image: { channels: 3, height: 299, width: 299 } }],
      },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.[0]).toEqual({
      path: 'tensorInputs[0].image',
      message: 'input "input_1": the model expects [-1, 224, 224, 3], declared [-1, 299, 299, 3]',
    });
  });
});
