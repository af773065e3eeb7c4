import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { onnxArtifactSchema, type ModelPreset, type Task } from '@mlops/contracts';
import { getTf, initBackend } from '../../src/backend';
import { buildImageModel, buildModel, disposeModel } from '../../src/presets';
import {
  compareEngines,
  exportToOnnx,
  exportVerified,
  ONNX_TOLERANCE,
} from '../../src/onnx-export';
import { randomize, seededValues } from './random';

/**
 * The presets' float32 outputs agree to ~1e-7 here (measured); 1e-5 asserts it with room for
 * another CPU's summation order, ten times under the trainer's tolerance (ONNX_TOLERANCE).
 */
const PRESET_TOLERANCE = 1e-5;

let tf: ReturnType<typeof getTf>;
beforeAll(async () => {
  await initBackend('cpu');
  tf = getTf();
});

/** Compare the two engines on 65 seeded rows, fed as a batch of 64 and a batch of 1. */
async function gap(model: tfTypes.LayersModel, seed: number, transposeEachLayer = false) {
  const width = (model.inputs[0]!.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const rows = 65;
  const exported = exportToOnnx(model, { transposeEachLayer });
  const result = await compareEngines(model, exported, seededValues(rows * width, seed), rows, 64);
  expect(result.rows).toBe(rows);
  return result.maxAbsDiff;
}

const hp = { learningRate: 0.01, dropout: 0.3, l2: 0.001 };

describe('ONNX export of the trainer presets (random seeded weights)', () => {
  const cases: Array<{ preset: ModelPreset; task: Task; inputShape?: number[]; width: number }> = [
    { preset: 'mlp-small', task: 'classification', width: 7 },
    { preset: 'mlp-small', task: 'regression', width: 7 },
    { preset: 'mlp-medium', task: 'classification', width: 12 },
    { preset: 'linear', task: 'classification', width: 5 },
    { preset: 'linear', task: 'regression', width: 5 },
    // A 1-D signal [1, n, 1], and images of odd sizes ("same" padding, pools that floor).
    { preset: 'cnn-small', task: 'classification', width: 10 },
    { preset: 'cnn-small', task: 'classification', width: 5 * 7 * 2, inputShape: [5, 7, 2] },
    { preset: 'cnn-small', task: 'regression', width: 4 * 4, inputShape: [4, 4, 1] },
  ];
  for (const [i, c] of cases.entries()) {
    it(`${c.preset} ${c.task}${c.inputShape ? ` [${c.inputShape.join('×')}]` : ''} gives TF.js's outputs`, async () => {
      const model = buildModel({
        preset: c.preset,
        task: c.task,
        inputWidth: c.width,
        outputWidth: c.task === 'classification' ? 3 : 1,
        hyperparameters: { ...hp, ...(c.inputShape ? { inputShape: c.inputShape } : {}) },
        seed: 7 + i,
      });
      randomize(model, 100 + i);
      try {
        expect(await gap(model, i)).toBeLessThanOrEqual(PRESET_TOLERANCE);
      } finally {
        disposeModel(model);
      }
    });
  }

  it('the image cnn-small (conv → pool twice, dropout, softmax) gives TF.js outputs, both layouts', async () => {
    const model = buildImageModel({
      preset: 'cnn-small',
      imageShape: [9, 7, 3],
      classes: 4,
      hyperparameters: { ...hp, hiddenUnits: [8] },
      seed: 3,
    });
    randomize(model, 5);
    try {
      expect(await gap(model, 11)).toBeLessThanOrEqual(PRESET_TOLERANCE);
      expect(await gap(model, 12, true)).toBeLessThanOrEqual(PRESET_TOLERANCE);
    } finally {
      disposeModel(model);
    }
  });

  it('a verified export is a manifest entry: not primary, batch dimension symbolic', async () => {
    const model = buildModel({
      preset: 'mlp-small',
      task: 'classification',
      inputWidth: 4,
      outputWidth: 3,
      hyperparameters: hp,
      seed: 1,
    });
    randomize(model, 1);
    try {
      const result = await exportVerified(model, {
        x: seededValues(40 * 4, 2),
        rows: 40,
        inputNames: ['features'],
        outputNames: ['scores'],
      });
      if (!result.ok) throw new Error(result.reason);
      const artifact = onnxArtifactSchema.parse(result.artifact);
      expect(artifact).toMatchObject({
        file: 'model.onnx',
        opsetVersion: 13,
        producer: 'mlops-tfjs-export 1.0.0',
        primary: false,
        inputs: [{ name: 'features', elementType: 'float32', shape: ['batch', 4] }],
        outputs: [{ name: 'scores', elementType: 'float32', shape: ['batch', 3] }],
      });
      expect(artifact.verification?.rows).toBe(40);
      expect(artifact.verification?.tolerance).toBe(ONNX_TOLERANCE);
      expect(artifact.verification!.maxAbsDiff).toBeLessThanOrEqual(PRESET_TOLERANCE);
      expect(result.file.path).toBe('model.onnx');
    } finally {
      disposeModel(model);
    }
  });

  it('the verification catches a graph that computes something else', async () => {
    const build = (seed: number) => {
      const m = buildModel({
        preset: 'cnn-small',
        task: 'classification',
        inputWidth: 16,
        outputWidth: 3,
        hyperparameters: { ...hp, inputShape: [4, 4, 1] },
        seed,
      });
      randomize(m, seed);
      return m;
    };
    const [a, b] = [build(1), build(2)];
    try {
      // b's graph (same architecture, other weights) checked against a's outputs.
      const result = await compareEngines(a, exportToOnnx(b), seededValues(20 * 16, 3), 20);
      expect(result.maxAbsDiff).toBeGreaterThan(ONNX_TOLERANCE);
    } finally {
      disposeModel(a);
      disposeModel(b);
    }
  });

  it('a layer the exporter does not convert fails the export, naming it', async () => {
    const input = tf.input({ shape: [6] });
    const embedded = tf.layers
      .embedding({ inputDim: 10, outputDim: 4, name: 'words' })
      .apply(input) as tfTypes.SymbolicTensor;
    const out = tf.layers.flatten().apply(embedded) as tfTypes.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    try {
      expect(() => exportToOnnx(model)).toThrow(/layer "words" is a Embedding/);
      const result = await exportVerified(model, { x: seededValues(6, 1), rows: 1 });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/"words"/);
      // An activation it does not convert is refused the same way.
      const gelu = tf.sequential({
        layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'gelu', name: 'g' })],
      });
      expect(() => exportToOnnx(gelu)).toThrow(/activation "gelu"/);
      gelu.dispose();
    } finally {
      model.dispose();
    }
  });

  it('no held-out rows: no export, and the reason', async () => {
    const model = buildModel({
      preset: 'linear',
      task: 'regression',
      inputWidth: 2,
      outputWidth: 1,
      hyperparameters: hp,
      seed: 1,
    });
    try {
      const result = await exportVerified(model, { x: new Float32Array(0), rows: 0 });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/no held-out rows/);
    } finally {
      disposeModel(model);
    }
  });
});
