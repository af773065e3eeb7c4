import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { serializeModel } from '@mlops/ml/bundle';
import { useTensorImportRegistry } from './tensor-import-models';

const t = useTensorImportRegistry();

describe('versions.import refuses tensor models that do not fit, naming the field', () => {
  async function refused(body: Record<string, unknown>) {
    const res = await t.importTensor({ model: 'bad', ...body });
    expect(res.status).toBe(400);
    return { message: res.error?.message ?? '', details: res.error?.data.details ?? [] };
  }

  it('an image size other than the model input', async () => {
    const { details } = await refused({
      files: t.convFiles,
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
      files: t.convFiles,
      tensorInputs: [{ name, shape: [-1, 32, 32] }],
    });
    expect(wrong.details[0]).toEqual({
      path: 'tensorInputs[0].shape',
      message: `input "${name}": the model expects [-1, 32, 32, 3], declared [-1, 32, 32]`,
    });
    const deep = await refused({
      files: t.convFiles,
      tensorInputs: [{ name, shape: [-1, 1, 1, 1, 1, 1, 1] }],
    });
    expect(deep.details.map((d) => d.message)).toContain(
      `input "${name}" has rank 7; at most 6 dimensions are supported`,
    );
  });

  it('a model whose input has more elements than the limit', async () => {
    const poster = t.tf.input({ shape: [2048, 2048, 3], name: 'poster' });
    const pooled = t.tf.layers.globalAveragePooling2d({}).apply(poster) as tfTypes.SymbolicTensor;
    const big = t.tf.model({
      inputs: poster,
      outputs: t.tf.layers.dense({ units: 2 }).apply(pooled) as tfTypes.SymbolicTensor,
    });
    const files = await t.uploadAll(await serializeModel(big));
    const name = 'poster';
    big.dispose();
    const { details } = await refused({ files });
    expect(details[0]?.path).toBe('tensorInputs');
    expect(details[0]?.message).toContain(
      `input "${name}" has 12582912 elements per example ([-1, 2048, 2048, 3]); at most 4194304`,
    );
  });

  it('a model.json whose declared input shape does not match its weights', async () => {
    const serialized = await serializeModel(t.conv);
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
    const { message, details } = await refused({ files: await t.uploadAll(patched) });
    expect(message).toContain('cannot be loaded by TF.js');
    expect(details[0]?.path).toBe('files');
    expect(details[0]?.message).toMatch(/shape/i);
  });

  it('an input the model does not have, and labels that do not count the classes', async () => {
    const unknown = await refused({ files: t.convFiles, tensorInputs: [{ name: 'pixels' }] });
    expect(unknown.details[0]).toEqual({
      path: 'tensorInputs[0].name',
      message: `the model has no input "pixels"; its inputs are image`,
    });
    const labels = await refused({ files: t.convFiles, labels: ['a', 'b'] });
    expect(labels.details[0]).toEqual({
      path: 'labels',
      message: `output "scores" has 3 classes, 2 labels given`,
    });
  });

  it('tensor declarations beside scalar inputs, and a two-input model fed one name', async () => {
    const mixed = await refused({
      files: t.convFiles,
      inputs: [{ name: 'x', type: 'numeric', nullable: false }],
      tensorInputs: [{ shape: [-1, 32, 32, 3] }],
    });
    expect(mixed.details[0]?.path).toBe('tensorInputs');
    const unnamed = await refused({ files: t.twoInputFiles, tensorInputs: [{ shape: [-1, 4] }] });
    expect(unnamed.details[0]).toEqual({
      path: 'tensorInputs[0].name',
      message: 'the model has 2 inputs (features, sequence): name the one you declare',
    });
  });
});
