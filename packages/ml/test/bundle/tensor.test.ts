import { beforeAll, describe, expect, it } from 'vitest';
import { AppError, type TensorSignature } from '@mlops/contracts';
import { getTf, initBackend } from '../../src/backend';
import {
  createPredictor,
  createTensorPredictor,
  loadTensorModel,
  resolveTensorSignature,
  serializeModel,
  sha256Hex,
  type TensorModel,
} from '../../src/bundle';
import { GRAPH_TENSOR_W, graphTensorModelFiles } from '../../src/testing';

type Files = Array<{ path: string; bytes: Uint8Array }>;

async function load(files: Files): Promise<TensorModel> {
  const manifest = {
    files: files.map((f) => ({ path: f.path, sha256: sha256Hex(f.bytes), size: f.bytes.length })),
  };
  return loadTensorModel(manifest, new Map(files.map((f) => [f.path, f.bytes])));
}

/** Deterministic pixels 0–255. */
function pixels(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('tensor models', () => {
  it('reads a conv model [-1,32,32,3] and predicts scaled pixels like model.predict', async () => {
    const tf = getTf();
    const conv = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [32, 32, 3],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
        }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const model = await load(await serializeModel(conv));
    expect(model.inputs.map((i) => [i.dtype, i.shape])).toEqual([['float32', [-1, 32, 32, 3]]]);

    const resolved = resolveTensorSignature(model, {
      task: 'classification',
      inputs: [
        {
          image: { channels: 3, height: 32, width: 32, resize: 'bilinear', scale: 1 / 255 },
        },
      ],
    });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
    expect(resolved.labels).toEqual(['0', '1', '2']);
    expect(resolved.signature.inputs[0]).toMatchObject({ kind: 'image', shape: [-1, 32, 32, 3] });
    expect(resolved.signature.outputs[0]).toMatchObject({ shape: [-1, 3], role: 'probabilities' });

    const predictor = createTensorPredictor(model, resolved.signature);
    const raw = pixels(2 * 32 * 32 * 3);
    const name = resolved.signature.inputs[0]!.name;
    const out = predictor.predictTensors({ [name]: { data: raw, shape: [2, 32, 32, 3] } });
    const outName = resolved.signature.outputs[0]!.name;
    const expected = tf.tidy(() =>
      (
        conv.predict(
          tf.tensor4d(raw, [2, 32, 32, 3]).toFloat().div(255),
        ) as typeof tf.Tensor.prototype
      ).dataSync(),
    );
    expect(out[outName]!.shape).toEqual([2, 3]);
    expectClose(out[outName]!.data, expected);
    conv.dispose();
    model.dispose();
  });

  it('takes the size of an image a model leaves open from the declaration, and asks for it', async () => {
    const tf = getTf();
    const anySize = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [null, null, 3], filters: 2, kernelSize: 3 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const model = await load(await serializeModel(anySize));
    anySize.dispose();
    expect(model.inputs[0]?.shape).toEqual([-1, -1, -1, 3]);
    const open = resolveTensorSignature(model, { task: 'classification' });
    expect(open.ok ? [] : open.problems.map((p) => p.path)).toEqual(['tensorInputs']);
    expect(open.ok ? '' : open.problems[0]?.message).toContain('dimension 1 is -1');
    const declared = resolveTensorSignature(model, {
      task: 'classification',
      inputs: [{ image: { channels: 3, height: 96, width: 64, resize: 'nearest', scale: 1 } }],
    });
    if (!declared.ok) throw new Error(JSON.stringify(declared.problems));
    expect(declared.signature.inputs[0]?.shape).toEqual([-1, 96, 64, 3]);
    model.dispose();
  });

  it('reads a graph model with two named inputs and runs both', async () => {
    const model = await load(graphTensorModelFiles());
    const resolved = resolveTensorSignature(model, { task: 'classification', labels: ['a', 'b'] });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
    expect(resolved.signature.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['image', [-1, 4, 4, 3]],
      ['bias', [-1, 2]],
    ]);
    expect(resolved.signature.outputs).toEqual([
      { name: 'probs', dtype: 'float32', shape: [-1, 2], role: 'probabilities' },
    ]);
    const predictor = createTensorPredictor(model, resolved.signature);
    // Every pixel of channel c is c + 1: the mean is [1, 2, 3].
    const image = Float32Array.from({ length: 48 }, (_, i) => (i % 3) + 1);
    const out = predictor.predictTensors({
      image: { data: image, shape: [1, 4, 4, 3] },
      bias: { data: Float32Array.from([0.5, -0.5]), shape: [1, 2] },
    });
    const [w00, w01, w10, w11, w20, w21] = GRAPH_TENSOR_W as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const l0 = 1 * w00 + 2 * w10 + 3 * w20 + 0.5;
    const l1 = 1 * w01 + 2 * w11 + 3 * w21 - 0.5;
    const p0 = 1 / (1 + Math.exp(l1 - l0));
    expectClose(out.probs!.data, [p0, 1 - p0]);
    model.dispose();
  });

  it('names the tensors of a converted graph model by its signature keys', async () => {
    const model = await load(graphTensorModelFiles({ signature: true }));
    const resolved = resolveTensorSignature(model, { task: 'classification' });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
    expect(resolved.signature.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['pixels', [-1, 4, 4, 3]],
      ['offset', [-1, 2]],
    ]);
    expect(resolved.signature.outputs.map((o) => [o.name, o.shape])).toEqual([['scores', [-1, 2]]]);
    const out = createTensorPredictor(model, resolved.signature).predictTensors({
      pixels: { data: new Float32Array(48), shape: [1, 4, 4, 3] },
      offset: { data: Float32Array.from([Math.log(3), 0]), shape: [1, 2] },
    });
    expectClose(out.scores!.data, [0.75, 0.25]);
    model.dispose();
  });

  it('is refused by the tabular predictor with a message that says so', () => {
    const tf = getTf();
    const conv = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 1, kernelSize: 3 })],
    });
    const err = errorOf(() => createPredictor(conv, 0));
    expect([err.code, err.message]).toEqual([
      'PRECONDITION_FAILED',
      'a tensor model (signature.tensors) has no scalar inputs to encode: run it with createTensorPredictor',
    ]);
    conv.dispose();
  });

  it('refuses bad feeds with VALIDATION_FAILED naming the input', async () => {
    const model = await load(graphTensorModelFiles());
    const resolved = resolveTensorSignature(model, {
      task: 'regression',
      outputs: [{ role: 'value' }],
    });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
    const signature: TensorSignature = resolved.signature;
    const p = createTensorPredictor(model, signature);
    const image = { data: new Float32Array(48), shape: [1, 4, 4, 3] };
    const bias = { data: new Float32Array(2), shape: [1, 2] };
    const cases: Array<[Record<string, { data: Float32Array; shape: number[] }>, string, string]> =
      [
        [{ image }, 'bias', 'missing'],
        [
          { image: { data: new Float32Array(48), shape: [1, 4, 4] }, bias },
          'image',
          'expected shape [-1, 4, 4, 3]',
        ],
        [
          { image: { data: new Float32Array(47), shape: [1, 4, 4, 3] }, bias },
          'image',
          'needs 48 values',
        ],
        [{ image, bias: { data: new Float32Array(4), shape: [2, 2] } }, 'bias', 'batch of 2'],
        [{ image, bias, extra: bias }, 'extra', 'not an input'],
      ];
    for (const [feeds, input, message] of cases) {
      const err = errorOf(() => p.predictTensors(feeds));
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details?.[0]?.path).toBe(input);
      expect(err.message).toContain(message);
    }
    model.dispose();
  });
});
