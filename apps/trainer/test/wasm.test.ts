import { describe, expect, it } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { trainPipeline } from '../src/train/pipeline';
import { blobRows, blobSchema, spec } from './data';

// `auto` resolves to wasm on a default install: every preset must train there, cnn-small too
// (its conv gradients are not wasm kernels; @mlops/ml/backend bridges them to cpu).
describe('training on the wasm backend', () => {
  it('trains the presets, with dropout and l2, and frees every tensor', async () => {
    expect(await initBackend('auto')).toBe('wasm');
    const tf = getTf();
    const baseline = tf.memory().numTensors;
    for (const preset of ['mlp-small', 'mlp-medium', 'linear', 'cnn-small'] as const) {
      const out = await trainPipeline({
        spec: spec({
          task: 'classification',
          target: 'species',
          preset,
          hyperparameters: { epochs: 25, learningRate: 0.02, dropout: 0.1, l2: 0.0001 },
        }),
        schema: blobSchema,
        rows: blobRows(240, 9),
      });
      expect(out.metrics.accuracy).toBeGreaterThan(0.9);
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
