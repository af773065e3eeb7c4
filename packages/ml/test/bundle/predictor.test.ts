import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../src/backend';
import {
  JS_PLAN_MAX_MULTIPLY_ADDS,
  compileDensePlan,
  createPredictor,
  modelPredictor,
} from '../../src/bundle';

let tf: typeof tfTypes;
const WIDTH = 5;

/** Inputs in [-2, 2) from a fixed sequence: the same rows every run. */
function rows(n: number): Float32Array {
  return Float32Array.from({ length: n * WIDTH }, (_, i) => ((i * 7919) % 400) / 100 - 2);
}

/** A stack with every layer kind the plan compiles, trained a little so nothing is trivial. */
async function denseZoo(): Promise<tfTypes.Sequential> {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [WIDTH] }));
  model.add(tf.layers.dropout({ rate: 0.3 }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dense({ units: 6, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: 4, activation: 'elu', useBias: false }));
  model.add(tf.layers.activation({ activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(rows(64), [64, WIDTH]);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 64 }, (_, i) => i % 3),
      'int32',
    ),
    3,
  );
  await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
  x.dispose();
  y.dispose();
  return model;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

beforeAll(async () => {
  await initBackend('cpu');
  tf = getTf();
});

afterAll(() => {
  tf.disposeVariables();
});

describe('dense plan predictor', () => {
  it('compiles dense, dropout, batch norm and activation layers and answers what model.predict answers', async () => {
    const model = await denseZoo();
    const predictor = createPredictor(model, WIDTH);
    // 124 multiply-adds per row: small enough for plain JavaScript.
    expect(predictor.engine).toBe('js-plan');
    expect(predictor.fallbackReason).toBeNull();
    const input = rows(37);
    const fast = predictor.predict(input, 37, WIDTH);
    const reference = modelPredictor(model).predict(input, 37, WIDTH);
    expect(fast).toHaveLength(37 * 3);
    expect(maxAbsDiff(fast, reference)).toBeLessThan(1e-5);
    predictor.dispose();
    model.dispose();
  });

  it('leaves no tensor behind, per call or once disposed', async () => {
    const model = await denseZoo();
    const baseline = tf.memory().numTensors;
    const predictor = createPredictor(model, WIDTH);
    const withPlan = tf.memory().numTensors; // the folded batch norm's scale and offset
    for (let i = 0; i < 200; i++) predictor.predict(rows((i % 17) + 1), (i % 17) + 1, WIDTH);
    expect(tf.memory().numTensors).toBe(withPlan);
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    model.dispose();
  });

  it('keeps model.predict, saying why, for layers it does not compile', () => {
    const model = tf.sequential();
    model.add(tf.layers.reshape({ targetShape: [2, 2, 1], inputShape: [4] }));
    model.add(tf.layers.conv2d({ filters: 2, kernelSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 1 }));
    const predictor = createPredictor(model, 4);
    expect(predictor.engine).toBe('model');
    expect(predictor.fallbackReason).toMatch(/Reshape/);
    expect(predictor.predict(new Float32Array(8), 2, 4)).toHaveLength(2);
    model.dispose();
  });

  it('refuses activations it cannot express and models that are not Sequential', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2, activation: 'hardSigmoid', inputShape: [3] }));
    expect(compileDensePlan(model)).toMatch(/hardSigmoid/);
    const input = tf.input({ shape: [3] });
    const functional = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 1 }).apply(input) as tfTypes.SymbolicTensor,
    });
    expect(compileDensePlan(functional)).toMatch(/Sequential/);
    model.dispose();
    functional.dispose();
  });

  it('is not trusted when it disagrees with model.predict on the probe rows', async () => {
    const model = await denseZoo();
    const honest = model.predict.bind(model);
    // Stands for any layer configuration the plan would get wrong: the answers differ.
    model.predict = (x: tfTypes.Tensor, args?: { batchSize?: number }) =>
      tf.tidy(() => tf.add(honest(x, args) as tfTypes.Tensor, 0.01));
    const predictor = createPredictor(model, WIDTH);
    expect(predictor.engine).toBe('model');
    expect(predictor.fallbackReason).toMatch(/differs from model\.predict/);
    model.dispose();
  });

  it('refuses a plan whose input width is not the preprocessing width', async () => {
    const model = await denseZoo();
    const predictor = createPredictor(model, WIDTH + 1);
    expect(predictor.engine).toBe('model');
    expect(predictor.fallbackReason).toMatch(/input width 5/);
    model.dispose();
  });

  it('runs larger models on the tensor engine, with the same answers', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [WIDTH] }));
    model.add(tf.layers.dense({ units: 32, activation: 'relu6' }));
    model.add(tf.layers.dense({ units: 2, activation: 'linear' }));
    expect(WIDTH * 64 + 64 * 32 + 32 * 2).toBeGreaterThan(JS_PLAN_MAX_MULTIPLY_ADDS);
    const predictor = createPredictor(model, WIDTH);
    expect(predictor.engine).toBe('dense-plan');
    const input = rows(9);
    expect(
      maxAbsDiff(
        predictor.predict(input, 9, WIDTH),
        modelPredictor(model).predict(input, 9, WIDTH),
      ),
    ).toBeLessThan(1e-5);
    predictor.dispose();
    model.dispose();
  });

  it('with ownWeights, answers the same after the model is disposed and frees its copies', async () => {
    const large = tf.sequential();
    large.add(tf.layers.dense({ units: 256, activation: 'relu', inputShape: [WIDTH] }));
    large.add(tf.layers.batchNormalization());
    large.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    for (const [model, engine] of [
      [await denseZoo(), 'js-plan'],
      [large, 'dense-plan'],
    ] as const) {
      const input = rows(11);
      const expected = modelPredictor(model).predict(input, 11, WIDTH);
      const before = tf.memory().numTensors;
      const predictor = createPredictor(model, WIDTH, { ownWeights: true });
      expect(predictor.engine).toBe(engine);
      // What the predictor holds: the dense plan its two kernels, two biases and the folded
      // batch norm's pair, all copies; the JS plan Float32Arrays only.
      const held = tf.memory().numTensors - before;
      expect(held).toBe(engine === 'js-plan' ? 0 : 6);
      model.dispose();
      expect(maxAbsDiff(predictor.predict(input, 11, WIDTH), expected)).toBeLessThan(1e-5);
      const afterModel = tf.memory().numTensors;
      predictor.dispose();
      expect(afterModel - tf.memory().numTensors).toBe(held);
    }
  });

  it('computes every activation in JavaScript as TF.js does', () => {
    for (const activation of [
      'linear',
      'relu',
      'relu6',
      'elu',
      'sigmoid',
      'tanh',
      'softplus',
      'selu',
      'softmax',
    ] as const) {
      const model = tf.sequential();
      // Weights large enough to reach every branch (negative, past 6, far into exp's range).
      model.add(
        tf.layers.dense({
          units: 4,
          activation,
          inputShape: [WIDTH],
          kernelInitializer: tf.initializers.randomUniform({ minval: -4, maxval: 4, seed: 3 }),
          biasInitializer: tf.initializers.constant({ value: 0.5 }),
        }),
      );
      const predictor = createPredictor(model, WIDTH);
      expect(predictor.engine, activation).toBe('js-plan');
      const input = rows(23);
      const diff = maxAbsDiff(
        predictor.predict(input, 23, WIDTH),
        modelPredictor(model).predict(input, 23, WIDTH),
      );
      expect(diff, activation).toBeLessThan(1e-4);
      predictor.dispose();
      model.dispose();
    }
  });
});
