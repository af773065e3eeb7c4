import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '../../src/backend';
import { mulberry32 } from '../../src/split';

/** `n` seeded values in [-1, 1). */
export function seededValues(n: number, seed: number): Float32Array {
  // mulberry32: a seeded stream in [0, 1), so every run compares the same numbers.
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/**
 * Give every weight of `model` seeded random values — biases too (the presets start them at
 * zero, which would hide a bias added on the wrong axis). Variances stay positive and moving
 * means off zero, so batch normalization does real work.
 */
export function randomize(model: tfTypes.LayersModel, seed: number): void {
  const tf = getTf();
  // mulberry32: a seeded stream in [0, 1), so every run compares the same numbers.
  const next = mulberry32(seed);
  for (const layer of model.layers) {
    const weights = layer.weights.map((w) => {
      const short = w.originalName.split('/').pop()!;
      const shape = w.shape as number[]; // a weight's shape is static
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: n }, () => {
        const u = next();
        if (short === 'moving_variance') return 0.2 + u * 2;
        if (short === 'gamma') return 0.5 + u;
        return (u * 2 - 1) * 0.5;
      });
      return tf.tensor(values, shape);
    });
    if (weights.length > 0) layer.setWeights(weights);
    tf.dispose(weights);
  }
}
