/**
 * What a loaded version keeps: a dense model served by its compiled plan holds the plan's own
 * copy of the weights and nothing of the TF.js model it was checked against (loader.ts), so a
 * version costs one copy of its weights — and its answers are still the model's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getTf } from '@mlops/ml/backend';
import { loadBundleModel, modelPredictor } from '@mlops/ml/bundle';
import { encodeFeatures } from '@mlops/ml/preprocessing';
import { loadVersion } from '../src/models/loader';
import { MemoryModelSource } from '../src/models/memory-source';
import { rowsBlock } from '../src/models/row-block';
import { createMetrics } from '../src/metrics';
import { BundleFactory, makeRows, publish } from './support/bundle';

const factories: BundleFactory[] = [];
afterAll(() => factories.forEach((f) => f.dispose()));

describe('a loaded version', () => {
  it.each([
    ['js-plan', 8, 0],
    // Two kernels and two biases: the plan's copies, none of the model's variables.
    ['dense-plan', 256, 4],
  ] as const)(
    'served by its %s keeps no TF.js model and frees its tensors once retired',
    async (engine, hidden, planTensors) => {
      const factory = new BundleFactory(hidden);
      factories.push(factory);
      const bundle = await factory.next(1);
      const source = new MemoryModelSource();
      publish(source, 'm', 1, bundle);
      const tf = getTf();
      // A loaded model's weights are TF.js variables; the plan's copies are plain tensors.
      const variables = () => Object.keys(tf.engine().registeredVariables).length;
      const before = tf.memory().numTensors;
      const variablesBefore = variables();
      const loaded = await loadVersion(
        {
          source,
          batching: { maxBatchRows: 64, maxLatencyMs: 0, maxQueueRows: 1024 },
          metrics: createMetrics(),
        },
        await source.getVersion('m', 1),
      );
      expect(loaded.predictor.engine).toBe(engine);
      expect(tf.memory().numTensors - before).toBe(planTensors);
      expect(variables()).toBe(variablesBefore);

      // The answers are those of the model it was loaded from, loaded again here to compare.
      const rows = makeRows(5, 11);
      const prep = bundle.manifest.preprocessing;
      const files = new Map(bundle.files.map((f) => [f.path, f.bytes]));
      const reference = await loadBundleModel(bundle.manifest, files);
      const expected = modelPredictor(reference).predict(
        encodeFeatures(prep, rows),
        rows.length,
        prep.inputWidth,
      );
      reference.dispose();
      const [predictions] = await loaded.batcher.submit([rowsBlock(rows)]);
      const probabilities = predictions!.map((p) => ('probabilities' in p ? p.probabilities : {}));
      for (let r = 0; r < rows.length; r++)
        for (const [i, label] of ['neg', 'pos'].entries())
          expect(probabilities[r]![label]).toBeCloseTo(expected[r * 2 + i]!, 5);

      await loaded.retire();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
