import { describe, expect, it } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { trainPipeline } from '../src/train/pipeline';
import { blobRows, blobSchema, spec } from './data';

// `auto` resolves to wasm on a default install: the presets must train there too (the wasm
// backend lacks some gradient kernels, none of which dense/dropout layers need).
describe('training on the wasm backend', () => {
  it('trains the presets, with dropout and l2, and frees every tensor', async () => {
    expect(await initBackend('auto')).toBe('wasm');
    const tf = getTf();
    const baseline = tf.memory().numTensors;
    for (const preset of ['mlp-small', 'mlp-medium', 'linear'] as const) {
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
