import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleFile, ModelVersion } from '@mlops/contracts';
import { buildOnnxModel, convClassifier, mlpClassifier } from '@mlops/ml/onnx/testing';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';
import { uploadBlob } from './tensor-import-helpers';

let r: TestRegistry;
let graph: BundleFile;

/** Two numeric inputs and a 3-way categorical: the graph takes 5 encoded features. */
const inputs = [
  { name: 'a', type: 'numeric', nullable: false },
  { name: 'b', type: 'numeric', nullable: true, impute: 1.5 },
  { name: 'colour', type: 'categorical', nullable: false, categories: ['red', 'green', 'blue'] },
];

function importOnnx(body: Record<string, unknown>) {
  return trpc(
    r.app,
    'mutation',
    'versions.import',
    {
      model: 'onnx-byo',
      task: 'classification',
      target: 'species',
      inputs,
      labels: ['x', 'y', 'z'],
      files: [graph],
      ...body,
    },
    r.auth,
  );
}

/** The first detail of a refused import: its status, the field it names and the message. */
async function refusal(body: Record<string, unknown>) {
  const res = await importOnnx(body);
  const e = res.error as {
    message: string;
    data: { httpStatus: number; details?: Array<{ path: string; message: string }> };
  };
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  return { status: res.status, message: e.message, detail: e.data.details?.[0] };
}

beforeAll(async () => {
  r = await startTestRegistry();
  graph = await uploadBlob(
    r,
    'model.onnx',
    mlpClassifier({ inputWidth: 5, hidden: 8, classes: 3, producerName: 'pytorch' }),
  );
});
afterAll(async () => {
  await r.close();
});

describe('versions.import of an ONNX graph', () => {
  it('registers the graph with its signature, opset and producer (primary)', async () => {
    const res = await importOnnx({});
    expect(res.status).toBe(200);
    const v = res.data as ModelVersion;
    expect(v.manifest.files.map((f) => f.path)).toEqual(['model.onnx']);
    expect(v.manifest.preprocessing.inputWidth).toBe(5);
    expect(v.manifest.signature.output).toEqual({
      task: 'classification',
      target: 'species',
      labels: ['x', 'y', 'z'],
    });
    expect(v.manifest.onnx).toEqual({
      file: 'model.onnx',
      opsetVersion: 13,
      producer: 'pytorch 2.3.0',
      inputs: [{ name: 'features', elementType: 'float32', shape: ['batch', 5] }],
      outputs: [{ name: 'probabilities', elementType: 'float32', shape: ['batch', 3] }],
      primary: true,
    });
    expect(v.manifest.lineage.codeRevision).toBe('imported');
  });

  it('refuses a file that is not ONNX, naming it', async () => {
    const junk = await uploadBlob(r, 'model.onnx', new TextEncoder().encode('{"format":"x"}'));
    const got = await refusal({ files: [junk] });
    expect(got.status).toBe(400);
    expect(got.detail).toMatchObject({ path: 'files[0]' });
    expect(got.detail?.message).toMatch(/not an ONNX model/);
  });

  it('refuses a truncated graph', async () => {
    const bytes = mlpClassifier({ inputWidth: 5, hidden: 8, classes: 3 });
    const cut = await uploadBlob(r, 'model.onnx', bytes.subarray(0, bytes.length - 30));
    const got = await refusal({ files: [cut] });
    expect(got.detail?.message).toMatch(/not an ONNX model|truncated/);
  });

  it('refuses a graph without inputs and one of an unsupported element type', async () => {
    const constant = await uploadBlob(
      r,
      'model.onnx',
      buildOnnxModel({
        inputs: [],
        outputs: [{ name: 'y', shape: [3] }],
        initializers: [{ name: 'c', dims: [3], values: [1, 2, 3] }],
        nodes: [{ op: 'Identity', inputs: ['c'], outputs: ['y'] }],
      }),
    );
    expect((await refusal({ files: [constant] })).detail?.message).toMatch(/no inputs/);
    const bf16 = await uploadBlob(
      r,
      'model.onnx',
      buildOnnxModel({
        inputs: [{ name: 'x', type: 16, shape: ['batch', 5] }],
        outputs: [{ name: 'y', type: 16, shape: ['batch', 5] }],
        nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    expect((await refusal({ files: [bf16] })).detail?.message).toMatch(
      /input "x" has element type bfloat16, not supported/,
    );
  });

  it('refuses a size past the bound before reading the file', async () => {
    const got = await refusal({ files: [{ ...graph, size: 300 * 1024 * 1024 }] });
    expect(got.detail).toMatchObject({ path: 'files[0].size' });
    expect(got.detail?.message).toMatch(/too large/);
  });

  it('refuses a graph whose widths do not fit the declaration, naming the field', async () => {
    const wide = await refusal({ inputs: inputs.slice(0, 2) });
    expect(wide.detail).toMatchObject({ path: 'inputs' });
    expect(wide.detail?.message).toMatch(/encode to 2 values, the graph takes 5/);
    const labels = await refusal({ labels: ['x', 'y'] });
    expect(labels.detail).toMatchObject({ path: 'labels' });
  });

  it('refuses a graph ONNX Runtime cannot load, and model.json beside a graph', async () => {
    const unknownOp = await uploadBlob(
      r,
      'model.onnx',
      buildOnnxModel({
        inputs: [{ name: 'x', shape: ['batch', 5] }],
        outputs: [{ name: 'y', shape: ['batch', 3] }],
        nodes: [{ op: 'NoSuchOp', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    expect((await refusal({ files: [unknownOp] })).message).toMatch(/ONNX Runtime cannot load/);
    const both = await refusal({ files: [graph, { ...graph, path: 'model.json' }] });
    expect(both.detail?.message).toMatch(/has no model.json/);
  });

  it('imports an image graph as a tensor model and refuses a size it does not take', async () => {
    const conv = await uploadBlob(
      r,
      'model.onnx',
      convClassifier({ height: 8, width: 8, channels: 3, classes: 2 }),
    );
    const image = { channels: 3, height: 8, width: 8, scale: 1 / 255 };
    const ok = await importOnnx({
      inputs: [],
      labels: ['a', 'b'],
      files: [conv],
      tensorInputs: [{ image }],
    });
    expect(ok.status).toBe(200);
    const v = ok.data as ModelVersion;
    expect(v.manifest.signature.tensors).toMatchObject({
      inputs: [{ kind: 'image', name: 'image', dtype: 'float32', shape: [-1, 8, 8, 3] }],
      outputs: [{ name: 'probabilities', shape: [-1, 2], role: 'probabilities' }],
    });
    expect(v.manifest.onnx?.inputs[0]?.shape).toEqual(['batch', 8, 8, 3]);
    const wrong = await refusal({
      inputs: [],
      labels: ['a', 'b'],
      files: [conv],
      tensorInputs: [{ image: { ...image, height: 16, width: 16 } }],
    });
    expect(wrong.detail).toMatchObject({ path: 'tensorInputs[0].image' });
    expect(wrong.detail?.message).toMatch(/expects \[-1, 8, 8, 3\], declared \[-1, 16, 16, 3\]/);
  });
});
