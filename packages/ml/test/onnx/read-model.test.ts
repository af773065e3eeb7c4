import { describe, expect, it } from 'vitest';
import { isAppError } from '@mlops/contracts';
import { createOnnxSession, readOnnxModel } from '../../src/onnx';
import {
  buildOnnxModel,
  convClassifier,
  mlpClassifier,
  seededValues,
} from '../../src/onnx/testing';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAppError(err) && err.code === 'VALIDATION_FAILED') return err.message;
    throw err;
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('readOnnxModel', () => {
  it('reads inputs, outputs, symbolic dims, opset and producer of an exported MLP', () => {
    const info = readOnnxModel(mlpClassifier({ inputWidth: 4, hidden: 8, classes: 3 }));
    expect(info.opsetVersion).toBe(13);
    expect(info.producer).toBe('pytorch 2.3.0');
    // Initializers (w1, b1…) are not inputs.
    expect(info.inputs).toEqual([
      { name: 'features', elementType: 'float32', shape: ['batch', 4] },
    ]);
    expect(info.outputs).toEqual([
      { name: 'probabilities', elementType: 'float32', shape: ['batch', 3] },
    ]);
  });

  it('refuses what is not a usable ONNX graph, naming the problem', () => {
    expect(refusal(() => readOnnxModel(new TextEncoder().encode('{"not":"onnx"}')))).toMatch(
      /not an ONNX model/,
    );
    const good = mlpClassifier({ inputWidth: 4, hidden: 8, classes: 3 });
    expect(refusal(() => readOnnxModel(good.subarray(0, good.length - 40)))).toMatch(
      /not an ONNX model/,
    );
    expect(refusal(() => readOnnxModel(new Uint8Array()))).toMatch(/empty/);
    expect(refusal(() => readOnnxModel(good, 100))).toMatch(/too large/);
    const bfloat16 = buildOnnxModel({
      inputs: [{ name: 'x', type: 16, shape: ['batch', 2] }],
      outputs: [{ name: 'y', type: 16, shape: ['batch', 2] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    });
    expect(refusal(() => readOnnxModel(bfloat16))).toMatch(/input "x" has element type bfloat16/);
    const noInputs = buildOnnxModel({
      inputs: [],
      outputs: [{ name: 'y', shape: [2] }],
      initializers: [{ name: 'c', dims: [2], values: [1, 2] }],
      nodes: [{ op: 'Identity', inputs: ['c'], outputs: ['y'] }],
    });
    expect(refusal(() => readOnnxModel(noInputs))).toMatch(/no inputs/);
  });
});

describe('ONNX Runtime session', () => {
  it('runs an MLP with any batch size and gives softmax rows', async () => {
    const session = await createOnnxSession(
      mlpClassifier({ inputWidth: 4, hidden: 8, classes: 3 }),
    );
    try {
      for (const rows of [1, 5, 64]) {
        const out = await session.run({
          features: { type: 'float32', data: seededValues(rows * 4, rows), dims: [rows, 4] },
        });
        const y = out.probabilities!;
        expect(y.dims).toEqual([rows, 3]);
        const p = y.data as Float32Array;
        for (let r = 0; r < rows; r++)
          expect(p[r * 3]! + p[r * 3 + 1]! + p[r * 3 + 2]!).toBeCloseTo(1, 5);
      }
    } finally {
      await session.dispose();
    }
  });

  it('runs a channels-last Conv/pooling classifier', async () => {
    const session = await createOnnxSession(
      convClassifier({ height: 8, width: 8, channels: 3, classes: 2 }),
    );
    const out = await session.run({
      image: { type: 'float32', data: seededValues(2 * 8 * 8 * 3, 3), dims: [2, 8, 8, 3] },
    });
    expect(out.probabilities?.dims).toEqual([2, 2]);
    await session.dispose();
  });

  it('refuses a graph ONNX Runtime cannot load', async () => {
    const bad = buildOnnxModel({
      inputs: [{ name: 'x', shape: ['batch', 2] }],
      outputs: [{ name: 'y', shape: ['batch', 2] }],
      nodes: [{ op: 'NoSuchOp', inputs: ['x'], outputs: ['y'] }],
    });
    await expect(createOnnxSession(bad)).rejects.toThrow(/ONNX Runtime cannot load/);
  });
});
