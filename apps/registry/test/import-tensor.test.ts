import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelVersion } from '@mlops/contracts';
import { graphTensorModelFiles } from '@mlops/ml/testing';
import { trpc } from './helpers';
import { expectClose, pixels, storedPredictor } from './tensor-import-helpers';
import { useTensorImportRegistry } from './tensor-import-models';

const t = useTensorImportRegistry();

describe('versions.import of tensor models', () => {
  it('reads [-1,32,32,3] → 3 classes from a conv model and predicts like model.predict', async () => {
    const res = await t.importTensor({
      model: 'conv',
      files: t.convFiles,
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
    const { predictor, dispose } = await storedPredictor(t.r, version);
    const out = predictor.predictTensors({
      ['image']: { data: raw, shape: [3, 32, 32, 3] },
    });
    const expected = t.tf.tidy(() =>
      (
        t.conv.predict(t.tf.tensor4d(raw, [3, 32, 32, 3]).toFloat().div(255)) as tfTypes.Tensor
      ).dataSync(),
    );
    expect(out['scores']!.shape).toEqual([3, 3]);
    expectClose(out['scores']!.data, expected);
    dispose();
  });

  it('without declarations reads the shape and numbers the classes', async () => {
    const res = await t.importTensor({ model: 'conv-plain', files: t.convFiles });
    expect(res.status).toBe(200);
    const version = res.data as ModelVersion;
    expect(version.manifest.signature.tensors?.inputs[0]).toMatchObject({
      kind: 'tensor',
      shape: [-1, 32, 32, 3],
    });
    expect(version.manifest.signature.output).toMatchObject({ labels: ['0', '1', '2'] });
  });

  it('imports a model with two named inputs and two outputs with their roles', async () => {
    const res = await t.importTensor({
      model: 'two-inputs',
      files: t.twoInputFiles,
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
    const { predictor, dispose } = await storedPredictor(t.r, version);
    const out = predictor.predictTensors({
      features: { data: f, shape: [2, 4] },
      sequence: { data: s, shape: [2, 8, 2] },
    });
    const [p, e] = t.tf.tidy(() =>
      (
        t.twoInputs.predict([
          t.tf.tensor2d(f, [2, 4]),
          t.tf.tensor3d(s, [2, 8, 2]),
        ]) as tfTypes.Tensor[]
      ).map((t) => t.dataSync()),
    );
    expectClose(out.probs!.data, p!);
    expectClose(out.embedding!.data, e!);
    dispose();
  });

  it('imports a graph model with two inputs, read from its placeholders', async () => {
    const res = await t.importTensor({
      model: 'graph-tensors',
      files: await t.uploadAll(graphTensorModelFiles()),
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
      files: t.convFiles,
      tensorInputs: [{ image: { channels: 3, height: 32, width: 32, scale } }],
    });
    expect((await t.importTensor(image(1 / 255))).status).toBe(200);
    const champion = await trpc(
      t.r.app,
      'mutation',
      'aliases.set',
      { model: 'compat', alias: 'champion', version: 1 },
      t.r.auth,
    );
    expect(champion.status).toBe(200);
    expect((await t.importTensor(image(1 / 255))).status).toBe(200);
    expect((await t.importTensor(image(1))).status).toBe(200);
    const report = async (version: number) =>
      (
        await trpc(
          t.r.app,
          'query',
          'versions.compatibility',
          { model: 'compat', version },
          t.r.auth,
        )
      ).data as {
        breaking: boolean;
        changes: Array<{ kind: string; feature: string }>;
      };
    expect(await report(2)).toMatchObject({ breaking: false, changes: [] });
    const changed = await report(3);
    expect(changed.breaking).toBe(true);
    expect(changed.changes.map((c) => `${c.kind} ${c.feature}`)).toEqual(['retyped image']);
  });
});
