import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BundleFile, ModelVersion } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { graphTensorModelFiles } from '@mlops/ml/testing';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';
import { expectClose, pixels, storedPredictor, uploadBlob } from './tensor-import-helpers';

let r: TestRegistry;
let tf: ReturnType<typeof getTf>;
/** A tiny conv model: [-1, 32, 32, 3] → 3 classes. */
let conv: tfTypes.LayersModel;
let convFiles: BundleFile[];
/** Two named inputs (features [-1, 4], sequence [-1, 8, 2]), two outputs (probs, embedding). */
let twoInputs: tfTypes.LayersModel;
let twoInputFiles: BundleFile[];

async function uploadAll(files: Array<{ path: string; bytes: Uint8Array }>): Promise<BundleFile[]> {
  return Promise.all(files.map((f) => uploadBlob(r, f.path, f.bytes)));
}

function importTensor(body: Record<string, unknown>) {
  return trpc(
    r.app,
    'mutation',
    'versions.import',
    { task: 'classification', target: 'label', ...body },
    r.auth,
  );
}

beforeAll(async () => {
  r = await startTestRegistry();
  await initBackend();
  tf = getTf();
  const image = tf.input({ shape: [32, 32, 3], name: 'image' });
  const maps = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, activation: 'relu' })
    .apply(image) as tfTypes.SymbolicTensor;
  const flatMaps = tf.layers.flatten().apply(maps) as tfTypes.SymbolicTensor;
  const scores = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'scores' })
    .apply(flatMaps) as tfTypes.SymbolicTensor;
  conv = tf.model({ inputs: image, outputs: scores });
  convFiles = await uploadAll(await serializeModel(conv));

  const features = tf.input({ shape: [4], name: 'features' });
  const sequence = tf.input({ shape: [8, 2], name: 'sequence' });
  const flat = tf.layers.flatten().apply(sequence) as tfTypes.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([features, flat]) as tfTypes.SymbolicTensor;
  const embedding = tf.layers
    .dense({ units: 3, name: 'embedding' })
    .apply(joined) as tfTypes.SymbolicTensor;
  const probs = tf.layers
    .dense({ units: 2, activation: 'softmax', name: 'probs' })
    .apply(embedding) as tfTypes.SymbolicTensor;
  twoInputs = tf.model({ inputs: [features, sequence], outputs: [probs, embedding] });
  twoInputFiles = await uploadAll(await serializeModel(twoInputs));
});
afterAll(async () => {
  conv.dispose();
  twoInputs.dispose();
  await r.close();
});

describe('versions.import of tensor models', () => {
  it('reads [-1,32,32,3] → 3 classes from a conv model and predicts like model.predict', async () => {
    const res = await importTensor({
      model: 'conv',
      files: convFiles,
      tensorInputs: [{ image: { channels: 3, height: 32, width: 32, scale: 1 / 255 } }],
      labels: ['cat', 'dog', 'bird'],
    });
    expect(res.status).toBe(200);
    const version = res.data as ModelVersion;
    const tensors = version.manifest.signature.tensors;
    expect(tensors?.inputs).toEqual([
      {
        kind: 'image',
        name: 'image',
        dtype: 'float32',
        shape: [-1, 32, 32, 3],
        decoding: { channels: 3, height: 32, width: 32, resize: 'bilinear', scale: 1 / 255 },
      },
    ]);
    expect(tensors?.outputs).toEqual([
      { name: 'scores', dtype: 'float32', shape: [-1, 3], role: 'probabilities' },
    ]);
    expect(version.manifest.signature.output).toEqual({
      task: 'classification',
      target: 'label',
      labels: ['cat', 'dog', 'bird'],
    });
    expect(version.manifest.preprocessing).toMatchObject({ features: [], inputWidth: 0 });

    const raw = pixels(3 * 32 * 32 * 3);
    const { predictor, dispose } = await storedPredictor(r, version);
    const out = predictor.predictTensors({
      ['image']: { data: raw, shape: [3, 32, 32, 3] },
    });
    const expected = tf.tidy(() =>
      (
        conv.predict(tf.tensor4d(raw, [3, 32, 32, 3]).toFloat().div(255)) as tfTypes.Tensor
      ).dataSync(),
    );
    expect(out['scores']!.shape).toEqual([3, 3]);
    expectClose(out['scores']!.data, expected);
    dispose();
  });

  it('without declarations reads the shape and numbers the classes', async () => {
    const res = await importTensor({ model: 'conv-plain', files: convFiles });
    expect(res.status).toBe(200);
    const version = res.data as ModelVersion;
    expect(version.manifest.signature.tensors?.inputs[0]).toMatchObject({
      kind: 'tensor',
      shape: [-1, 32, 32, 3],
    });
    expect(version.manifest.signature.output).toMatchObject({ labels: ['0', '1', '2'] });
  });

  it('imports a model with two named inputs and two outputs with their roles', async () => {
    const res = await importTensor({
      model: 'two-inputs',
      files: twoInputFiles,
      outputs: [{ name: 'embedding', role: 'embedding' }],
      labels: ['no', 'yes'],
    });
    expect(res.status).toBe(200);
    const version = res.data as ModelVersion;
    const tensors = version.manifest.signature.tensors;
    expect(tensors?.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['features', [-1, 4]],
      ['sequence', [-1, 8, 2]],
    ]);
    expect(tensors?.outputs.map((o) => [o.name, o.shape, o.role])).toEqual([
      ['probs', [-1, 2], 'probabilities'],
      ['embedding', [-1, 3], 'embedding'],
    ]);

    const f = Float32Array.from({ length: 2 * 4 }, (_, i) => i / 8 - 0.5);
    const s = Float32Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i));
    const { predictor, dispose } = await storedPredictor(r, version);
    const out = predictor.predictTensors({
      features: { data: f, shape: [2, 4] },
      sequence: { data: s, shape: [2, 8, 2] },
    });
    const [p, e] = tf.tidy(() =>
      (
        twoInputs.predict([tf.tensor2d(f, [2, 4]), tf.tensor3d(s, [2, 8, 2])]) as tfTypes.Tensor[]
      ).map((t) => t.dataSync()),
    );
    expectClose(out.probs!.data, p!);
    expectClose(out.embedding!.data, e!);
    dispose();
  });

  it('imports a graph model with two inputs, read from its placeholders', async () => {
    const res = await importTensor({
      model: 'graph-tensors',
      files: await uploadAll(graphTensorModelFiles()),
      labels: ['left', 'right'],
    });
    expect(res.status).toBe(200);
    const tensors = (res.data as ModelVersion).manifest.signature.tensors;
    expect(tensors?.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['image', [-1, 4, 4, 3]],
      ['bias', [-1, 2]],
    ]);
    expect(tensors?.outputs).toEqual([
      { name: 'probs', dtype: 'float32', shape: [-1, 2], role: 'probabilities' },
    ]);
  });
});

describe('signature compatibility of tensor models', () => {
  it('a new image size or decoding against the champion is breaking, naming the input', async () => {
    const image = (scale: number) => ({
      model: 'compat',
      files: convFiles,
      tensorInputs: [{ image: { channels: 3, height: 32, width: 32, scale } }],
    });
    expect((await importTensor(image(1 / 255))).status).toBe(200);
    const champion = await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: 'compat', alias: 'champion', version: 1 },
      r.auth,
    );
    expect(champion.status).toBe(200);
    expect((await importTensor(image(1 / 255))).status).toBe(200);
    expect((await importTensor(image(1))).status).toBe(200);
    const report = async (version: number) =>
      (await trpc(r.app, 'query', 'versions.compatibility', { model: 'compat', version }, r.auth))
        .data as {
        breaking: boolean;
        changes: Array<{ kind: string; feature: string }>;
      };
    expect(await report(2)).toMatchObject({ breaking: false, changes: [] });
    const changed = await report(3);
    expect(changed.breaking).toBe(true);
    expect(changed.changes.map((c) => `${c.kind} ${c.feature}`)).toEqual(['retyped image']);
  });
});

describe('versions.import refuses tensor models that do not fit, naming the field', () => {
  async function refused(body: Record<string, unknown>) {
    const res = await importTensor({ model: 'bad', ...body });
    expect(res.status).toBe(400);
    return { message: res.error?.message ?? '', details: res.error?.data.details ?? [] };
  }

  it('an image size other than the model input', async () => {
    const { details } = await refused({
      files: convFiles,
      tensorInputs: [{ image: { channels: 1, height: 28, width: 28 } }],
    });
    expect(details).toEqual([
      {
        path: 'tensorInputs[0].image',
        message: `input "image": the model expects [-1, 32, 32, 3], declared [-1, 28, 28, 1]`,
      },
    ]);
  });

  it('a shape of the wrong rank, and one over the rank limit', async () => {
    const name = 'image';
    const wrong = await refused({
      files: convFiles,
      tensorInputs: [{ name, shape: [-1, 32, 32] }],
    });
    expect(wrong.details[0]).toEqual({
      path: 'tensorInputs[0].shape',
      message: `input "${name}": the model expects [-1, 32, 32, 3], declared [-1, 32, 32]`,
    });
    const deep = await refused({
      files: convFiles,
      tensorInputs: [{ name, shape: [-1, 1, 1, 1, 1, 1, 1] }],
    });
    expect(deep.details.map((d) => d.message)).toContain(
      `input "${name}" has rank 7; at most 6 dimensions are supported`,
    );
  });

  it('a model whose input has more elements than the limit', async () => {
    const poster = tf.input({ shape: [2048, 2048, 3], name: 'poster' });
    const pooled = tf.layers.globalAveragePooling2d({}).apply(poster) as tfTypes.SymbolicTensor;
    const big = tf.model({
      inputs: poster,
      outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tfTypes.SymbolicTensor,
    });
    const files = await uploadAll(await serializeModel(big));
    const name = 'poster';
    big.dispose();
    const { details } = await refused({ files });
    expect(details[0]?.path).toBe('tensorInputs');
    expect(details[0]?.message).toContain(
      `input "${name}" has 12582912 elements per example ([-1, 2048, 2048, 3]); at most 4194304`,
    );
  });

  it('a model.json whose declared input shape does not match its weights', async () => {
    const serialized = await serializeModel(conv);
    const patched = serialized.map((f) =>
      f.path === 'model.json'
        ? {
            ...f,
            bytes: new TextEncoder().encode(
              new TextDecoder().decode(f.bytes).replace('[null,32,32,3]', '[null,28,28,3]'),
            ),
          }
        : f,
    );
    expect(new TextDecoder().decode(patched[0]!.bytes)).toContain('[null,28,28,3]');
    const { message, details } = await refused({ files: await uploadAll(patched) });
    expect(message).toContain('cannot be loaded by TF.js');
    expect(details[0]?.path).toBe('files');
    expect(details[0]?.message).toMatch(/shape/i);
  });

  it('an input the model does not have, and labels that do not count the classes', async () => {
    const unknown = await refused({ files: convFiles, tensorInputs: [{ name: 'pixels' }] });
    expect(unknown.details[0]).toEqual({
      path: 'tensorInputs[0].name',
      message: `the model has no input "pixels"; its inputs are image`,
    });
    const labels = await refused({ files: convFiles, labels: ['a', 'b'] });
    expect(labels.details[0]).toEqual({
      path: 'labels',
      message: `output "scores" has 3 classes, 2 labels given`,
    });
  });

  it('tensor declarations beside scalar inputs, and a two-input model fed one name', async () => {
    const mixed = await refused({
      files: convFiles,
      inputs: [{ name: 'x', type: 'numeric', nullable: false }],
      tensorInputs: [{ shape: [-1, 32, 32, 3] }],
    });
    expect(mixed.details[0]?.path).toBe('tensorInputs');
    const unnamed = await refused({ files: twoInputFiles, tensorInputs: [{ shape: [-1, 4] }] });
    expect(unnamed.details[0]).toEqual({
      path: 'tensorInputs[0].name',
      message: 'the model has 2 inputs (features, sequence): name the one you declare',
    });
  });
});
