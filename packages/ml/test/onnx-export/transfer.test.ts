import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../src/backend';
import { buildHead, cutBase, freezeBase } from '../../src/presets';
import { compareEngines, exportToOnnx } from '../../src/onnx-export';
import { randomize, seededValues } from './random';

/** As presets.test.ts: measured ~1e-7 here; deeper graphs than the presets, same bound. */
const TOLERANCE = 1e-5;

let tf: ReturnType<typeof getTf>;
beforeAll(async () => {
  await initBackend('cpu');
  tf = getTf();
});

type ST = tfTypes.SymbolicTensor;

/**
 * A MobileNet-like base of the kind imported TF.js models are, covering the layers they use:
 * zero padding, strided conv, batch norm, ReLU(6), depthwise and separable convs, a residual
 * add, a concatenation, average pooling, leaky ReLU, global average pooling, then a classifier.
 */
function mobileBase(): tfTypes.LayersModel {
  const L = tf.layers;
  const image = tf.input({ shape: [11, 10, 3], name: 'image' });
  let x = L.zeroPadding2d({
    padding: [
      [0, 1],
      [1, 0],
    ],
  }).apply(image) as ST;
  x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false, name: 'stem' }).apply(
    x,
  ) as ST;
  x = L.batchNormalization({ name: 'stem_bn' }).apply(x) as ST;
  x = L.reLU({ maxValue: 6 }).apply(x) as ST;
  const skip = x;
  x = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }).apply(x) as ST;
  x = L.batchNormalization({ scale: false }).apply(x) as ST;
  x = L.activation({ activation: 'relu6' }).apply(x) as ST;
  x = L.conv2d({ filters: 8, kernelSize: 1, activation: 'elu' }).apply(x) as ST;
  x = L.add().apply([x, skip]) as ST;
  const branch = L.separableConv2d({
    filters: 4,
    kernelSize: 3,
    padding: 'same',
    activation: 'swish',
  }).apply(x) as ST;
  x = L.concatenate().apply([x, branch]) as ST;
  x = L.averagePooling2d({ poolSize: 2, padding: 'same' }).apply(x) as ST;
  x = L.leakyReLU({ alpha: 0.1 }).apply(x) as ST;
  x = L.conv2d({
    filters: 6,
    kernelSize: 2,
    activation: 'tanh',
    dilationRate: 2,
    padding: 'same',
  }).apply(x) as ST;
  x = L.globalAveragePooling2d({}).apply(x) as ST;
  x = L.dense({ units: 5, activation: 'sigmoid' }).apply(x) as ST;
  const out = L.dense({ units: 4, activation: 'softmax', name: 'probabilities' }).apply(x) as ST;
  return tf.model({ inputs: image, outputs: out });
}

async function gap(model: tfTypes.LayersModel, seed: number, transposeEachLayer = false) {
  const width = (model.inputs[0]!.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const exported = exportToOnnx(model, { transposeEachLayer });
  const result = await compareEngines(model, exported, seededValues(33 * width, seed), 33, 32);
  return result.maxAbsDiff;
}

describe('ONNX export of transfer models and imported-style bases', () => {
  it('a MobileNet-like base gives TF.js outputs, in both layouts', async () => {
    const base = mobileBase();
    randomize(base, 4);
    try {
      expect(await gap(base, 1)).toBeLessThanOrEqual(TOLERANCE);
      expect(await gap(base, 2, true)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      base.dispose();
    }
  });

  it('base cut + new head (the transfer structure), its head shared with a features model', async () => {
    const base = mobileBase();
    randomize(base, 6);
    const cut = cutBase(base, [11, 10, 3]);
    const head = buildHead({
      classes: 3,
      units: [7],
      dropout: 0.2,
      l2: 0,
      seed: 1,
      taken: new Set(cut.layers.map((l) => l.name)),
    });
    const model = tf.model({ inputs: cut.input, outputs: head(cut.features) });
    // As fitTransfer does with cached features: the same head layers called a second time.
    const features = tf.input({ shape: cut.features.shape.slice(1) });
    const headModel = tf.model({ inputs: features, outputs: head(features) });
    freezeBase(cut.layers, 0);
    randomize(model, 8);
    try {
      expect(await gap(model, 3)).toBeLessThanOrEqual(TOLERANCE);
      expect(await gap(headModel, 4)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      model.dispose();
      base.layers.at(-1)?.dispose();
    }
  });

  it('a base nested as one layer of a Sequential is inlined', async () => {
    const inner = mobileBase();
    const outer = tf.sequential({
      layers: [inner, tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    randomize(outer, 9);
    try {
      expect(await gap(outer, 5)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      outer.dispose();
    }
  });
});
