import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../src/backend';
import { buildHead, cutBase, freezeBase } from '../../src/presets';

let tf: ReturnType<typeof getTf>;

/** [4, 4, 3] → conv → pool → dense(5, "embedding") → dense(2): a base with a pool to skip. */
function base(): tfTypes.LayersModel {
  const image = tf.input({ shape: [4, 4, 3] });
  let x = tf.layers.conv2d({ filters: 2, kernelSize: 2 }).apply(image) as tfTypes.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.dense({ units: 5, name: 'embedding' }).apply(x) as tfTypes.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'scores' }).apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: image, outputs: out });
}

beforeAll(async () => {
  await initBackend('cpu');
  tf = getTf();
});

describe('cutting a base at its penultimate layer', () => {
  it('drops the last layer and takes the tensor that fed it as the features', () => {
    const cut = cutBase(base(), [4, 4, 3]);
    expect(cut.features.shape).toEqual([null, 5]);
    expect(cut.layers.map((l) => l.name)).not.toContain('scores');
    expect(cut.layers.at(-1)?.name).toBe('embedding');
  });

  it('refuses another image shape, several inputs, and a last layer with several inputs', () => {
    expect(() => cutBase(base(), [8, 8, 3])).toThrow(/takes \[4, 4, 3\] but the run decodes/);
    const a = tf.input({ shape: [3] });
    const b = tf.input({ shape: [3] });
    const joined = tf.layers.concatenate().apply([a, b]) as tfTypes.SymbolicTensor;
    const two = tf.model({ inputs: [a, b], outputs: joined });
    expect(() => cutBase(two, [4, 4, 3])).toThrow(/2 inputs and 1 outputs/);
    const image = tf.input({ shape: [4, 4, 3] });
    const left = tf.layers.flatten().apply(image) as tfTypes.SymbolicTensor;
    const right = tf.layers.flatten().apply(image) as tfTypes.SymbolicTensor;
    const added = tf.layers.add().apply([left, right]) as tfTypes.SymbolicTensor;
    const merged = tf.model({ inputs: image, outputs: added });
    expect(() => cutBase(merged, [4, 4, 3])).toThrow(/no single penultimate layer/);
  });
});

describe('a new head', () => {
  it('names its layers apart from the base, even a base that has a head of its own', () => {
    const features = tf.input({ shape: [5] });
    const head = buildHead({
      classes: 3,
      units: [4],
      dropout: 0.1,
      l2: 0,
      seed: 1,
      taken: new Set(['head0_dense_0', 'probabilities']),
    });
    const model = tf.model({ inputs: features, outputs: head(features) });
    expect(model.layers.slice(1).map((l) => l.name)).toEqual([
      'head1_dense_0',
      'head1_dropout_0',
      'head1_probabilities',
    ]);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
  });

  it('shares its weights between the two inputs it is applied to', () => {
    const head = buildHead({ classes: 2, units: [], dropout: 0, l2: 0, seed: 1, taken: new Set() });
    const a = tf.input({ shape: [5] });
    const b = tf.input({ shape: [5] });
    const first = tf.model({ inputs: a, outputs: head(a) });
    const second = tf.model({ inputs: b, outputs: head(b) });
    expect(second.getLayer('probabilities')).toBe(first.getLayer('probabilities'));
  });
});

describe('freezing a base', () => {
  it('counts only weighted layers as the top N to unfreeze', () => {
    const cut = cutBase(base(), [4, 4, 3]);
    freezeBase(cut.layers, 0);
    expect(cut.layers.filter((l) => l.trainable)).toEqual([]);
    // The top weighted layer is the embedding; the pool and flatten below it stay frozen.
    freezeBase(cut.layers, 1);
    expect(cut.layers.filter((l) => l.trainable).map((l) => l.name)).toEqual(['embedding']);
    freezeBase(cut.layers, 2);
    expect(cut.layers.filter((l) => l.trainable).map((l) => l.getClassName())).toEqual([
      'Conv2D',
      'Dense',
    ]);
  });
});
